#!/usr/bin/env bash
# Regenerate the R reference values for evalkit.cace (needs R with estimatr and jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/iv.R" "$here/iv.json"
