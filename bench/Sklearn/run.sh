#!/usr/bin/env bash
# scikit-learn benchmark: ServeSharp's native estimators vs Debian's scikit-learn predict, same files, same rows,
# one run. Usage: bench/Sklearn/run.sh [seconds-per-case, default 3]
# Prints a markdown table to paste into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 sklearn_bench.py "$work" "$seconds"
dotnet run -c Release --project SklearnBench -- "$work" "$seconds"
