#!/usr/bin/env bash
# Regenerate multistate.json: export the public and synthetic data sets, then run R
# (survival, jsonlite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && python multistate_data.py "$tmp")
Rscript "$here/multistate.R" "$tmp" "$here/multistate.json"
