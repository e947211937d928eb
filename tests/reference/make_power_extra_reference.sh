#!/usr/bin/env bash
# Regenerate the R reference values of the power solvers far out in the noncentral t
# (tests/reference/power_extra.json). Needs R with pwr and jsonlite
# (e.g. apt-get install r-base-core r-cran-pwr r-cran-jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/power_extra.R" "$here/power_extra.json"
