#!/usr/bin/env bash
# Replaces one benchmark's section of bench/RESULTS.md, leaving the other sections as they are.
#
#   bench/replace-section.sh NAME CONTENT_FILE [RESULTS_FILE]
#
# The section is the text between the lines `<!-- BEGIN NAME -->` and `<!-- END NAME -->`; it is appended at the end
# of the file when absent. Each benchmark script (bench/run.sh, bench/Trees, bench/Sklearn, bench/platform.sh) owns one.
set -euo pipefail
name=$1
content=$2
results=${3:-$(dirname "$0")/RESULTS.md}
begin="<!-- BEGIN $name -->"
end="<!-- END $name -->"
[ -f "$results" ] || printf '# Benchmark results\n\nEach section below is written by the script it names; re-run the script rather than editing by hand.\n' >"$results"
tmp=$(mktemp)
if grep -qxF "$begin" "$results"; then
  awk -v begin="$begin" -v end="$end" -v content="$content" '
    $0 == begin { print; while ((getline line < content) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }' "$results" >"$tmp"
else
  { cat "$results"; printf '\n%s\n' "$begin"; cat "$content"; printf '%s\n' "$end"; } >"$tmp"
fi
mv "$tmp" "$results"
