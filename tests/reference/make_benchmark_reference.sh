#!/usr/bin/env bash
# Regenerate the benchmark R reference values (tests/reference/benchmark.json).
# Needs only R (stats, in base R) with jsonlite: every input is written in benchmark.R.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
Rscript "$here/benchmark.R" "$here/benchmark.json"
