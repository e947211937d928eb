#!/usr/bin/env bash
# Regenerate survival_weights.json: export the data sets (public survival data with case
# weights, a synthetic weekly register), then run R (survival, jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && python survival_weights_data.py "$tmp")
Rscript "$here/survival_weights.R" "$tmp" "$here/survival_weights.json"
