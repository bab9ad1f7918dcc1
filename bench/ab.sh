#!/usr/bin/env bash
# Interleaved A/B of two model-server builds (or one build with two settings) under the same wrk load. Both servers
# run at once; each run also reports the server's CPU time per request (user + system, from /proc/PID/stat; µs),
# which the load generator's share of the cores does not move, and the median of its B/A is printed last (below 1:
# B costs less per request). Nothing is written to RESULTS.md.
#
# Two ways to share the machine (AB_MODE):
#   together (default)  each round loads A and B at the same time (one wrk thread and 8 connections each) for RUN_S
#                       seconds, so both see the same machine speed, and reads both servers' CPU over the same
#                       window. Compare the CPU per request: A/A runs of one build gave per-round CPU ratios of
#                       0.98-1.01 and, in a noisier spell, 0.97-1.08. req/s ratios here only say how the scheduler
#                       shared the cores.
#   pairs               each pair measures A then B (B then A on even pairs) for RUN_S seconds with the full load
#                       (two wrk threads, 16 connections). Machine speed drifts here on a scale of seconds (the same
#                       build has measured 27k and 42k req/s minutes apart; A/A pairs ranged 0.76-1.16), so only many
#                       pairs say anything, through their median B/A.
#
#   bench/ab.sh ROUNDS REQUEST_JSON URL_PATH 'A command' 'B command'
#
# The commands are run by bash; A must listen on HTTP port 28080 and B on 28082, both answering /v2/health/ready.
# Example (memory arena on vs off, V2 batch 1, bodies from a bench/run.sh run):
#   S='bench/.publish/servesharp-serve --model_name iris --model_dir examples/iris-onnx'
#   bench/ab.sh 6 bench/.work/requests/v2-b1.json /v2/models/iris/infer \
#     "$S --setting memory_arena=true --http_port 28080 --grpc_port 28081" "$S --http_port 28082 --grpc_port 28083"
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 5 ] || { sed -n '2,24p' "$0" >&2; exit 2; }
ROUNDS=$1 BODY=$2 URL_PATH=$3 A=$4 B=$5
RUN_S=${AB_RUN_S:-5}
MODE=${AB_MODE:-together}
case $MODE in together | pairs) ;; *) echo "AB_MODE must be together or pairs" >&2; exit 2 ;; esac
log() { printf '[bench] %s\n' "$*" >&2; }
. bench/common.sh
install_missing wrk=wrk curl=curl

lua=$(mktemp --suffix=.lua)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$lua" "$lua.a"; }
trap cleanup EXIT
write_post_lua "$lua" "$BODY"

bash -c "exec $A" >/dev/null 2>&1 & pids+=($!)
bash -c "exec $B" >/dev/null 2>&1 & pids+=($!)
for port in 28080 28082; do
  for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/health/ready" && break; sleep 0.05; done
done

# load PORT SECONDS [THREADS CONNECTIONS]: one wrk run; prints "req/s requests".
load() {
  wrk -t"${3:-2}" -c"${4:-16}" -d"$2"s -s "$lua" "http://127.0.0.1:$1$URL_PATH" |
    awk '/ requests in / { n = $1 } /Requests\/sec/ { rps = $2 } END { print rps, n }'
}
# run PORT PID SECONDS: one wrk run with the full load on one server; prints "req/s cpu-µs-per-request".
run() {
  local before rps n
  before=$(cpu_ticks "$2")
  read -r rps n < <(load "$1" "$3")
  echo "$rps $(cpu_per_request $(($(cpu_ticks "$2") - before)) "$n")"
}
# together SECONDS: both servers loaded at once, CPU read over the same window; prints "a a_cpu b b_cpu".
together() {
  local a0 b0 a1 b1 loader a an b bn
  a0=$(cpu_ticks "${pids[0]}"); b0=$(cpu_ticks "${pids[1]}")
  load 28080 "$1" 1 8 >"$lua.a" & loader=$!
  read -r b bn < <(load 28082 "$1" 1 8)
  wait "$loader"; read -r a an <"$lua.a"
  a1=$(cpu_ticks "${pids[0]}"); b1=$(cpu_ticks "${pids[1]}")
  echo "$a $(cpu_per_request $((a1 - a0)) "$an") $b $(cpu_per_request $((b1 - b0)) "$bn")"
}
median() { sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
WARM_S=${AB_WARM_S:-3}  # unmeasured load on each first (JIT-compiled servers want 15 or more)
run 28080 "${pids[0]}" "$WARM_S" >/dev/null; run 28082 "${pids[1]}" "$WARM_S" >/dev/null
ratios=() cpu_ratios=()
for i in $(seq "$ROUNDS"); do
  if [ "$MODE" = together ]; then
    read -r a a_cpu b b_cpu < <(together "$RUN_S")
  elif [ $((i % 2)) = 1 ]; then
    read -r a a_cpu < <(run 28080 "${pids[0]}" "$RUN_S"); read -r b b_cpu < <(run 28082 "${pids[1]}" "$RUN_S")
  else
    read -r b b_cpu < <(run 28082 "${pids[1]}" "$RUN_S"); read -r a a_cpu < <(run 28080 "${pids[0]}" "$RUN_S")
  fi
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
  cpu_ratio=$(awk -v a="$a_cpu" -v b="$b_cpu" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
  ratios+=("$ratio") cpu_ratios+=("$cpu_ratio")
  echo "$([ "$MODE" = together ] && echo round || echo pair) $i: A $a req/s ($a_cpu µs CPU/req), B $b req/s ($b_cpu µs CPU/req), B/A $ratio (CPU $cpu_ratio)"
done
echo "median B/A $(printf '%s\n' "${ratios[@]}" | median)"
echo "median server CPU per request B/A $(printf '%s\n' "${cpu_ratios[@]}" | median)"
