#!/usr/bin/env bash
# Regenerate the R reference values for evalkit.lee_bounds and evalkit.manski_bounds (needs R
# with attrition 1.0.0 and jsonlite; attrition needs dplyr, generics, ggplot2, purrr, tibble).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/bounds.R" "$here/bounds.json"
