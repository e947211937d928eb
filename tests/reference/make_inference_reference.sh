#!/usr/bin/env bash
# Regenerate the R reference values of randomization inference, p-value adjustment and
# power (tests/reference/inference.json). Needs R with coin, pwr, survival and jsonlite
# (e.g. apt-get install r-cran-coin r-cran-pwr r-cran-jsonlite). The data sets are
# written into the JSON, so no Python step is needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/inference.R" "$here/inference.json"
