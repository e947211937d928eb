#!/usr/bin/env bash
# Regenerate survival_km.json: export the public survival data sets, then run R
# (survival, sandwich, jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python "$here/survival_data.py" "$tmp"
Rscript "$here/survival_km.R" "$tmp" "$here/survival_km.json"
