#!/usr/bin/env bash
# scikit-learn benchmark: ServeSharp's native estimators vs Debian's scikit-learn predict, same files, same rows,
# one run. Usage: bench/Sklearn/run.sh [seconds-per-case, default 3]
# Writes its table into bench/RESULTS.md between <!-- BEGIN sklearn --> and <!-- END sklearn --> (the rest of the
# file is left alone; the section is appended when the markers are missing) and prints it.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-3}"
results="${BENCH_SKLEARN_OUTPUT:-../RESULTS.md}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 sklearn_bench.py "$work" "$seconds"
dotnet run -c Release --project SklearnBench -- "$work" "$seconds" | tee "$work/table.md"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
sklearn_version=$(/usr/bin/python3 -c 'import sklearn; print(sklearn.__version__)')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)

{
  echo "## scikit-learn"
  echo
  echo "Written by \`bench/Sklearn/run.sh $seconds\` — do not edit by hand; re-run the script."
  echo
  echo "| condition | value |"
  echo "| --- | --- |"
  echo "| date (UTC) | $(date -u '+%Y-%m-%d %H:%M') |"
  echo "| commit | $commit$dirty |"
  echo "| machine | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); shared |"
  echo "| load average before / after | $load_before / $load_after |"
  echo "| time per case | ${seconds}s measured after warm-up, both sides |"
  echo "| scikit-learn | $sklearn_version (Debian python3-sklearn), threads as it chooses: HistGradientBoosting predicts with OpenMP on every core, the other two on one thread |"
  echo
  echo "Three models trained on \`make_classification(5000 × 20, 3 classes)\` and saved with \`joblib.dump\`:"
  echo "\`StandardScaler + LogisticRegression\`, \`RandomForestClassifier(n_estimators=100, max_depth=10)\`,"
  echo "\`HistGradientBoostingClassifier(max_iter=100)\`. scikit-learn's \`predict\` is timed on 1 row and on 1,000 rows;"
  echo "ServeSharp loads the same files (\`SklearnRuntime.LoadFile\`) and times \`SklearnModel.PredictAsync\` (FP64 request"
  echo "tensor in, INT64 label tensor out) after checking its 1,000 labels equal scikit-learn's. ServeSharp predicts large"
  echo "requests in row blocks; \`intra_op_threads=1\` keeps them on one thread, the default (0) spreads the blocks of a"
  echo "slow model over the cores. Goal: 1 row ≥ 20× faster, 1,000 rows not slower."
  echo
  sed '/^$/d' "$work/table.md"
} >"$work/section.md"

../replace-section.sh sklearn "$work/section.md" "$results"
echo
echo "wrote $(cd "$(dirname "$results")" && pwd)/$(basename "$results")"
