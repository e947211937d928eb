#!/usr/bin/env bash
# Regenerate the R reference values for evalkit.subgroup_effects (needs R with estimatr and
# jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/subgroups.R" "$here/subgroups.json"
