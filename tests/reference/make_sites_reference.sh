#!/usr/bin/env bash
# Regenerate the R reference values of the multi-site pooling (tests/reference/sites.json).
# Needs R with metafor and jsonlite (e.g. apt-get install r-base-core r-cran-metafor
# r-cran-jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/sites.R" "$here/sites.json"
