#!/usr/bin/env bash
# Regenerate the R reference values: export the public data sets to CSV, then run R.
# Needs R with estimatr and jsonlite (see DEVELOPERS notes in tests/reference/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python "$here/reference_data.py" "$tmp"
Rscript "$here/estimators.R" "$tmp" "$here/estimators.json"
