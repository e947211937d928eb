#!/usr/bin/env bash
# Regenerate R's p.adjust(method = "hommel") values (tests/reference/p_adjust_extra.json).
# Needs R with jsonlite (e.g. apt-get install r-base-core r-cran-jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/p_adjust_extra.R" "$here/p_adjust_extra.json"
