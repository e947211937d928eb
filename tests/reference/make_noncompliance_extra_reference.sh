#!/usr/bin/env bash
# Regenerate the R reference values for evalkit.complier_profile and evalkit.ipw_attrition
# (needs R with estimatr and jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/noncompliance_extra.R" "$here/noncompliance_extra.json"
