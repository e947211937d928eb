#!/usr/bin/env bash
# Regenerate the R reference values for contrasts of two arms of a multi-arm trial
# and the omnibus randomization test (needs R with estimatr, coin and jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/multiarm.R" "$here/multiarm.json"
