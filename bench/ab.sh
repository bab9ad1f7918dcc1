#!/usr/bin/env bash
# Interleaved A/B of two model-server builds (or one build with two settings) under the same wrk load: both servers
# run at once, and each pair measures A then B (B then A on even pairs) for RUN_S seconds. Machine speed here drifts
# on a scale of seconds to minutes (the same build has measured 27k and 42k req/s minutes apart), so only ratios of
# neighbouring runs say anything; the median of the pairs' B/A is printed last. Nothing is written to RESULTS.md.
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

rps() { wrk -t2 -c16 -d"$2"s -s "$lua" "http://127.0.0.1:$1$URL_PATH" | awk '/Requests\/sec/ { print $2 }'; }
rps 28080 3 >/dev/null; rps 28082 3 >/dev/null
ratios=()
for i in $(seq "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then a=$(rps 28080 "$RUN_S"); b=$(rps 28082 "$RUN_S"); else b=$(rps 28082 "$RUN_S"); a=$(rps 28080 "$RUN_S"); fi
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
  ratios+=("$ratio")
  echo "pair $i: A $a req/s, B $b req/s, B/A $ratio"
done
echo "median B/A $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (PAIRS + 1) / 2 ))p")"
