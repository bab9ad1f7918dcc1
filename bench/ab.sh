#!/usr/bin/env bash
# Interleaved A/B of two model-server builds (or one build with two settings) under the same wrk load: both servers
# run at once, and each pair measures A then B (B then A on even pairs) for RUN_S seconds. Machine speed here drifts
# on a scale of seconds to minutes (the same build has measured 27k and 42k req/s minutes apart), so only ratios of
# neighbouring runs say anything; the median of the pairs' B/A is printed last. Each run also reports the server's CPU
# time per request (user + system, from /proc/PID/stat; µs), which the load generator's share of the cores does not
# move, and the median of its B/A is printed too (below 1: B costs less per request). Nothing is written to RESULTS.md.
#
#   bench/ab.sh PAIRS REQUEST_JSON URL_PATH 'A command' 'B command'
#
# The commands are run by bash; A must listen on HTTP port 28080 and B on 28082, both answering /v2/health/ready.
# Example (memory arena on vs off, V2 batch 1, bodies from a bench/run.sh run):
#   S='bench/.publish/servesharp-serve --model_name iris --model_dir examples/iris-onnx'
#   bench/ab.sh 6 bench/.work/requests/v2-b1.json /v2/models/iris/infer \
#     "$S --setting memory_arena=true --http_port 28080 --grpc_port 28081" "$S --http_port 28082 --grpc_port 28083"
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 5 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
PAIRS=$1 BODY=$2 URL_PATH=$3 A=$4 B=$5
RUN_S=${AB_RUN_S:-5}
log() { printf '[bench] %s\n' "$*" >&2; }
. bench/common.sh
install_missing wrk=wrk curl=curl

lua=$(mktemp --suffix=.lua)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$lua"; }
trap cleanup EXIT
write_post_lua "$lua" "$BODY"

bash -c "exec $A" >/dev/null 2>&1 & pids+=($!)
bash -c "exec $B" >/dev/null 2>&1 & pids+=($!)
for port in 28080 28082; do
  for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/health/ready" && break; sleep 0.05; done
done

# cpu_ticks PID: the process's user + system time in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# run PORT PID SECONDS: one wrk run; prints "req/s cpu-µs-per-request".
run() {
  local before after out
  before=$(cpu_ticks "$2")
  out=$(wrk -t2 -c16 -d"$3"s -s "$lua" "http://127.0.0.1:$1$URL_PATH")
  after=$(cpu_ticks "$2")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    / requests in / { n = $1 } /Requests\/sec/ { rps = $2 }
    END { printf "%s %.2f\n", rps, (n > 0 ? ticks * 1e6 / hz / n : 0) }' <<<"$out"
}
median() { sort -n | sed -n "$(( (PAIRS + 1) / 2 ))p"; }
run 28080 "${pids[0]}" 3 >/dev/null; run 28082 "${pids[1]}" 3 >/dev/null
ratios=() cpu_ratios=()
for i in $(seq "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then
    read -r a a_cpu < <(run 28080 "${pids[0]}" "$RUN_S"); read -r b b_cpu < <(run 28082 "${pids[1]}" "$RUN_S")
  else
    read -r b b_cpu < <(run 28082 "${pids[1]}" "$RUN_S"); read -r a a_cpu < <(run 28080 "${pids[0]}" "$RUN_S")
  fi
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
  cpu_ratio=$(awk -v a="$a_cpu" -v b="$b_cpu" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
  ratios+=("$ratio") cpu_ratios+=("$cpu_ratio")
  echo "pair $i: A $a req/s ($a_cpu µs CPU/req), B $b req/s ($b_cpu µs CPU/req), B/A $ratio (CPU $cpu_ratio)"
done
echo "median B/A $(printf '%s\n' "${ratios[@]}" | median)"
echo "median server CPU per request B/A $(printf '%s\n' "${cpu_ratios[@]}" | median)"
