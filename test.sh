#!/usr/bin/env bash
# Runs every test in the solution and ends with one line: "N passed, N failed[, N skipped]".
# Installs what the tests need first (npm emulators, Debian tools) through tools/install-test-deps.sh.
set -uo pipefail
cd "$(dirname "$0")"

if [ -x tools/install-test-deps.sh ]; then
  tools/install-test-deps.sh || { echo "installing test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build ServeSharp.slnx -c Release 2>&1 | tail -n 3
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" -ne 0 ]; then
  dotnet build ServeSharp.slnx -c Release 2>&1 | grep -E "error" | sort -u | head -n 40
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test ServeSharp.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# VSTest prints one summary per test assembly:
#   Passed!  - Failed:     0, Passed:    16, Skipped:     0, Total:    16, Duration: ...
awk '
  /(Passed|Failed)! +- +Failed: / {
    gsub(/,/, "");
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  f += $(i + 1);
      if ($i == "Passed:")  p += $(i + 1);
      if ($i == "Skipped:") s += $(i + 1);
    }
    n++;
  }
  END {
    if (n == 0) { f += 1 }
    line = p " passed, " f " failed";
    if (s > 0) line = line ", " s " skipped";
    print line;
  }' "$log" > "$log.summary"
summary=$(cat "$log.summary"); rm -f "$log.summary"
# A crashed test host prints no summary for its assembly: make sure that still counts as a failure.
if [ "$rc" -ne 0 ] && [[ "$summary" == *", 0 failed"* ]]; then
  summary="${summary/, 0 failed/, 1 failed}"
fi
echo "$summary"
exit "$rc"
