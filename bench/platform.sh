#!/usr/bin/env bash
# Embedded-platform benchmark (`servesharp up`): writes the platform section of bench/RESULTS.md.
#
#  (a) Cold start through the activator: an InferenceService with minReplicas 0 created at zero scale
#      (autoscaling.knative.dev/initial-scale: "0", so no replica runs); the clock runs from sending the first
#      prediction to the ingress until its answer arrives: the activator holds the request, the autoscaler starts a
#      replica (`servesharp serve`), the model loads, readiness passes and the request is forwarded. Measured for the
#      ONNX example and an XGBoost tree model, BENCH_RUNS times each (a new service per run); the median is reported.
#  (b) Ingress overhead: wrk, BENCH_CONNECTIONS connections, V1 REST predict of the ONNX example, straight to the
#      replica's port vs through the ingress (Host header), in the same run, alternating, same replica. On Linux the
#      ingress hands qualifying keep-alive connections to the replica (connection handoff); the report says how many
#      of wrk's connections the replica process held during the first ingress round (read with `ss -p`).
#
#   bench/platform.sh                                              full run (about 3 minutes)
#   BENCH_RUNS=3 BENCH_DURATION=2 BENCH_WARMUP=1 bench/platform.sh  smoke run (well under a minute after the build)
#
# Environment:
#   BENCH_RUNS         cold starts per model (default 7)
#   BENCH_DURATION     seconds measured per wrk run (default 20)
#   BENCH_WARMUP       seconds of JIT warm-up per target before measuring (default 5)
#   BENCH_CONNECTIONS  wrk connections (default 16)
#   BENCH_OUTPUT       result file whose platform section is replaced (default bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-7}
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
OUTPUT=${BENCH_OUTPUT:-bench/RESULTS.md}
THREADS=2
WORK=$PWD/bench/.work-platform
API_PORT=18170
INGRESS_PORT=18180
API=http://127.0.0.1:$API_PORT/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices
INGRESS=http://127.0.0.1:$INGRESS_PORT
ONNX_DIR=$PWD/examples/iris-onnx
TREE_FIXTURE=tests/Runtimes/ServeSharp.Runtimes.Trees.Tests/Fixtures/xgboost/multi_softprob/model.json

log() { printf '[platform-bench] %s\n' "$*" >&2; }

UP_PID=""
cleanup() {
  if [ -n "$UP_PID" ]; then
    kill -TERM "$UP_PID" 2>/dev/null || true
    wait "$UP_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# --- tools -----------------------------------------------------------------------------------------------------------
. bench/common.sh
install_missing wrk=wrk curl=curl jq=jq

# --- build and start -------------------------------------------------------------------------------------------------
# Measured as deployed, like bench/run.sh: the tool published with ReadyToRun and, beside it, the natively compiled
# model server servesharp-serve, which the daemon then runs for its replicas (bench/common.sh).
rm -rf "$WORK"
mkdir -p "$WORK/models/xgb" "$WORK/logs"
log "publishing servesharp (Release, ReadyToRun)"
publish_servesharp "$WORK/publish"
SERVESHARP=$WORK/publish/servesharp
cp "$TREE_FIXTURE" "$WORK/models/xgb/model.json"

"$SERVESHARP" up --data-dir "$WORK/data" --api-port "$API_PORT" --ingress-port "$INGRESS_PORT" >"$WORK/logs/up.log" 2>&1 &
UP_PID=$!
deadline=$(( $(date +%s) + 60 ))
until curl -fs -o /dev/null "$API"; do
  [ "$(date +%s)" -lt "$deadline" ] || { log "servesharp up did not start:"; cat "$WORK/logs/up.log" >&2; exit 1; }
  kill -0 "$UP_PID" 2>/dev/null || { log "servesharp up exited:"; cat "$WORK/logs/up.log" >&2; exit 1; }
  sleep 0.1
done

now_ns() { date +%s%N; }

# isvc NAME FORMAT MODEL_DIR EXTRA_ANNOTATIONS_JSON MIN_REPLICAS -> JSON body
isvc() {
  jq -n --arg name "$1" --arg format "$2" --arg dir "$3" --argjson ann "$4" --argjson min "$5" '{
    apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService",
    metadata: {name: $name, annotations: $ann},
    spec: {predictor: {minReplicas: $min, maxReplicas: 1, model: {modelFormat: {name: $format}, storageUri: ("file://" + $dir)}}}}'
}

create() { curl -fsS -o /dev/null -H 'content-type: application/json' -d "$1" "$API"; }

# wait_for NAME JQ_FILTER TIMEOUT_S: poll the resource until the filter is true.
wait_for() {
  local deadline=$(( $(date +%s) + $3 ))
  until curl -fs "$API/$1" | jq -e "$2" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "timed out waiting for $1: $2"; curl -fs "$API/$1" | jq .status >&2; return 1; }
    sleep 0.05
  done
}

# --- (a) cold start through the activator ----------------------------------------------------------------------------
ONNX_REQ='{"instances": [[6.8, 2.8, 4.8, 1.4]]}'
TREE_REQ='{"instances": [[1.3, -1.3, 0.6, -1.4, 0.4]]}'
declare -A cold_sorted cold_median
for model in onnx xgboost; do
  if [ "$model" = onnx ]; then dir=$ONNX_DIR; req=$ONNX_REQ; else dir=$WORK/models/xgb; req=$TREE_REQ; fi
  times=()
  for i in $(seq 1 "$RUNS"); do
    name="cold-$model-$i"
    create "$(isvc "$name" "$model" "$dir" '{"autoscaling.knative.dev/initial-scale": "0"}' 0)"
    # Created and routed, with no replica running.
    wait_for "$name" '.status.components.predictor.latestCreatedRevision != null and .status.modelStatus.copies.totalCopies == 0' 60
    t0=$(now_ns)
    code=$(curl -s -o "$WORK/logs/$name.json" -w '%{http_code}' -H "Host: $name.default.example.com" \
      -H 'content-type: application/json' -d "$req" "$INGRESS/v1/models/$name:predict")
    t1=$(now_ns)
    [ "$code" = 200 ] || { log "$name answered $code: $(cat "$WORK/logs/$name.json")"; exit 1; }
    times+=( $(( (t1 - t0) / 1000000 )) )
    curl -fsS -o /dev/null -X DELETE "$API/$name"
    # Let the replica stop before the next run so it does not compete for the CPU.
    deadline=$(( $(date +%s) + 30 ))
    while compgen -G "$WORK/data/run/default.$name-*" >/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  done
  cold_sorted[$model]=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  cold_median[$model]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  log "cold start $model ms: ${cold_sorted[$model]}(median ${cold_median[$model]}); answer: $(cat "$WORK/logs/cold-$model-$RUNS.json")"
done

# --- (b) ingress overhead --------------------------------------------------------------------------------------------
create "$(isvc bench-iris onnx "$ONNX_DIR" '{}' 1)"
wait_for bench-iris '.status.conditions[] | select(.type == "Ready") | .status == "True"' 60
# The replica's own port, from the supervisor's event line "started pid N ports http=P,grpc=Q" in its log.
replica_log=$(ls "$WORK"/data/logs/default.bench-iris-predictor-00001/*.log | head -n1)
DIRECT_PORT=$(grep -o 'ports http=[0-9]*' "$replica_log" | tail -n1 | cut -d= -f2)
[ -n "$DIRECT_PORT" ] || { log "replica port not found in $replica_log"; exit 1; }
log "replica http port $DIRECT_PORT, ingress port $INGRESS_PORT"

printf '%s' '{"instances": [[6.8, 2.8, 4.8, 1.4]]}' >"$WORK/v1-b1.json"
# wrk_run NAME URL SECONDS [HOST]
wrk_run() {
  local lua="$WORK/$1.lua"
  write_post_lua "$lua" "$WORK/v1-b1.json" "${4:-}"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3}s" --latency -s "$lua" "$2" >"$WORK/logs/$1.txt" 2>&1
}

wrk_stats() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors }' "$1"
}

DIRECT_URL="http://127.0.0.1:$DIRECT_PORT/v1/models/bench-iris:predict"
INGRESS_URL="$INGRESS/v1/models/bench-iris:predict"
HOST=bench-iris.default.example.com
log "JIT warm-up ${WARMUP}s per target"
wrk_run warmup-direct "$DIRECT_URL" "$WARMUP"
wrk_run warmup-ingress "$INGRESS_URL" "$WARMUP" "$HOST"
# Two rounds, alternating, so a drift in machine load hits both targets alike; the better round of each is kept.
half=$(( DURATION / 2 > 0 ? DURATION / 2 : 1 ))
# held_by_replica: of the established server-side sockets on the ingress port, how many the replica process holds.
held_by_replica() {
  local rows
  rows=$(ss -Htnp state established "( sport = :$INGRESS_PORT )" 2>/dev/null || true)
  printf '%s of %s' "$(grep -c "pid=$REPLICA_PID," <<<"$rows" || true)" "$(grep -c . <<<"$rows" || true)"
}
REPLICA_PID=$(cut -d' ' -f1 "$WORK"/data/run/default.bench-iris-predictor-00001-*.pid | head -n1)
for round in 1 2; do
  probe=""
  log "round $round: direct, then ingress (${half}s each)"
  wrk_run "direct-$round" "$DIRECT_URL" "$half"
  if [ "$round" = 1 ]; then
    ( sleep "$(awk -v h="$half" 'BEGIN { print h / 2 }')"; held_by_replica >"$WORK/logs/handed-off.txt" ) &
    probe=$!
  fi
  wrk_run "ingress-$round" "$INGRESS_URL" "$half" "$HOST"
  # Only the probe: a bare `wait` would wait for the daemon too.
  [ -z "$probe" ] || wait "$probe"
done
HANDED_OFF=$(cat "$WORK/logs/handed-off.txt" 2>/dev/null || echo "n/a")
log "ingress connections held by the replica (handed off) during round 1: $HANDED_OFF"
best() { for f in "$@"; do wrk_stats "$f"; done | sort -k1,1nr | head -n1; }
read -r d_rps d_p50 d_p99 d_err <<<"$(best "$WORK/logs/direct-1.txt" "$WORK/logs/direct-2.txt")"
read -r i_rps i_p50 i_p99 i_err <<<"$(best "$WORK/logs/ingress-1.txt" "$WORK/logs/ingress-2.txt")"
loss=$(awk -v d="$d_rps" -v i="$i_rps" 'BEGIN { if (d > 0) printf "%.1f%%", 100 * (1 - i / d); else print "n/a" }')
log "direct $d_rps req/s, ingress $i_rps req/s, loss $loss"

# --- report ----------------------------------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
kind="full run"
[ "$DURATION" -lt 10 ] || [ "$RUNS" -lt 5 ] && kind="SMOKE RUN (too short for meaningful numbers)"
verdict() { awk -v v="$1" -v goal="$2" 'BEGIN { print (v + 0 < goal) ? "meets" : "misses" }'; }
{
  echo "## Embedded platform (servesharp up): cold start through the activator, ingress overhead"
  echo
  echo "Written by \`bench/platform.sh\` — $kind. Do not edit by hand; re-run the script."
  echo
  echo "| condition | value |"
  echo "| --- | --- |"
  echo "| date (UTC) | $(date -u '+%Y-%m-%d %H:%M') |"
  echo "| commit | $commit |"
  echo "| machine | $(nproc) cores, $cpu; daemon, replicas and load generator share them |"
  echo "| load average at end | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| binary | daemon: \`servesharp\` (\`dotnet publish -c Release -r linux-x64 -p:PublishReadyToRun=true\`, framework-dependent); replicas: \`servesharp-serve\` beside it (src/ServeSharp.Serve, Native AOT) |"
  echo
  echo "### Cold start to first response (goal < 500 ms)"
  echo
  echo "A service with \`minReplicas: 0\` created at zero scale (\`autoscaling.knative.dev/initial-scale: \"0\"\`); time from"
  echo "sending the first V1 prediction to the ingress until its 200 answer: activator hold → replica process start →"
  echo "model load → readiness probe → forward. A new service per run (model files local, OS file cache warm)."
  echo
  echo "| model | runs | median ms | all runs (ms, sorted) | goal |"
  echo "| --- | ---: | ---: | --- | --- |"
  echo "| ONNX \`examples/iris-onnx\` | $RUNS | ${cold_median[onnx]} | ${cold_sorted[onnx]% } | $(verdict "${cold_median[onnx]}" 500) |"
  echo "| XGBoost \`multi_softprob\` (5 features, JSON model) | $RUNS | ${cold_median[xgboost]} | ${cold_sorted[xgboost]% } | $(verdict "${cold_median[xgboost]}" 500) |"
  echo
  echo "### Ingress overhead (goal < 15% throughput loss)"
  echo
  echo "wrk, $CONNECTIONS connections, $THREADS threads, V1 REST predict (batch 1) of \`examples/iris-onnx\`, one replica;"
  echo "two alternating rounds of ${half}s per target after ${WARMUP}s warm-up each, best round kept."
  echo
  echo "| path | req/s | p50 ms | p99 ms | errors |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  echo "| direct to the replica | $d_rps | $d_p50 | $d_p99 | $d_err |"
  echo "| through the ingress (Host header) | $i_rps | $i_p50 | $i_p99 | $i_err |"
  echo
  echo "Ingress connections held by the replica process mid-run (connection handoff): $HANDED_OFF."
  echo
  echo "Throughput loss through the ingress: **$loss** ($(verdict "${loss%\%}" 15) the goal). Raw output: \`bench/.work-platform/logs/\`."
} >"$WORK/section.md"
bench/replace-section.sh platform "$WORK/section.md" "$OUTPUT"
log "wrote the platform section of $OUTPUT"
cat "$WORK/section.md"
