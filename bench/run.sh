#!/usr/bin/env bash
# ServeSharp benchmark: servesharp serving examples/iris-onnx against a bare Kestrel/gRPC "ceiling" app that answers
# the same requests with pre-recorded bytes, measured in the same run on the same machine. Writes the model-server
# section of bench/RESULTS.md (other sections are left alone).
#
#   bench/run.sh                         full run (about 20 minutes with BENCH_ROUNDS=5)
#   BENCH_DURATION=2 BENCH_WARMUP=1 BENCH_SCENARIO_WARMUP=1 bench/run.sh    smoke run (well under a minute)
#   BENCH_MODEL_DIR=examples/iris-xgboost bench/run.sh
#                                        the same scenarios on another model: its own section
#                                        (model-server-iris-xgboost), with a column of the ONNX example's ratios
#                                        read from the model-server section (run bench/run.sh first)
#
# Environment:
#   BENCH_DURATION          seconds per measured run (default 5; a round measures each target twice)
#   BENCH_ROUNDS            rounds per scenario (default 3). A round runs the targets in the order A B B A
#                           (servesharp first in odd rounds, the ceiling in even ones), so a machine whose speed
#                           drifts steadily during the round favours neither; the round's ratio is servesharp's
#                           req/s summed over its two runs divided by the ceiling's. The table reports the median
#                           run of each target and the median of the per-round ratios, and lists every round's ratio
#   BENCH_STARTS            cold starts per build for start-to-ready (default 9)
#   BENCH_WARMUP            seconds of JIT warm-up per target and protocol before the first scenario (default 10)
#   BENCH_SCENARIO_WARMUP   seconds of load before each measured run, not counted (default 3)
#   BENCH_CONNECTIONS       connections for wrk and h2load (default 16)
#   BENCH_OUTPUT            result file whose model-server section is replaced (default bench/RESULTS.md)
#   BENCH_MODEL_DIR         model directory to serve (default examples/iris-onnx); an example directory with a model/
#                           subdirectory means that subdirectory. Requests are built from the example's
#                           v1-request.json rows when there is one (else the iris rows), the section is
#                           model-server-<name> and raw output goes to bench/.work-<name>.
#   BENCH_ROWS              a V1 request file whose "instances" are the request rows (overrides the above)
#   BENCH_SECTION           the RESULTS.md section to write (default model-server, or model-server-<name>)
#   BENCH_SERVER            native (default): the natively compiled model server servesharp-serve, what
#                           `servesharp up` runs; tool: `servesharp serve` of the ReadyToRun tool. Start-to-ready is
#                           measured for both either way.
#
# Load generators: wrk (REST, HTTP/1.1) and h2load (gRPC, HTTP/2 prior knowledge), both from Debian packages,
# installed here when missing. Server, ceiling and load generator share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-3}
STARTS=${BENCH_STARTS:-9}
WARMUP=${BENCH_WARMUP:-10}
SCENARIO_WARMUP=${BENCH_SCENARIO_WARMUP:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
OUTPUT=${BENCH_OUTPUT:-bench/RESULTS.md}
THREADS=2
PUBLISH=bench/.publish
MODEL=iris
DEFAULT_MODEL_DIR=examples/iris-onnx
MODEL_DIR=${BENCH_MODEL_DIR:-$DEFAULT_MODEL_DIR}
MODEL_DIR=${MODEL_DIR%/}
ROWS=${BENCH_ROWS:-}
if [ "$MODEL_DIR" = "$DEFAULT_MODEL_DIR" ]; then
  NAME=""
  SECTION=${BENCH_SECTION:-model-server}
  WORK=bench/.work
else
  EXAMPLE=$MODEL_DIR
  [ -d "$MODEL_DIR/model" ] && MODEL_DIR=$MODEL_DIR/model
  [ "$MODEL_DIR" = "$EXAMPLE" ] && EXAMPLE=$(dirname "$MODEL_DIR")
  NAME=$(printf '%s' "$MODEL_DIR" | sed -E 's#^examples/##; s#/model$##; s#[^A-Za-z0-9._-]+#-#g')
  SECTION=${BENCH_SECTION:-model-server-$NAME}
  WORK=bench/.work-$NAME
  [ -z "$ROWS" ] && [ -f "$EXAMPLE/v1-request.json" ] && ROWS=$EXAMPLE/v1-request.json
fi
[ -d "$MODEL_DIR" ] || { printf '[bench] model directory %s does not exist\n' "$MODEL_DIR" >&2; exit 2; }
SS_HTTP=18080
SS_GRPC=18081
CE_HTTP=19080
CE_GRPC=19081
GRPC_PATH=/inference.GRPCInferenceService/ModelInfer

log() { printf '[bench] %s\n' "$*" >&2; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# --- tools -----------------------------------------------------------------------------------------------------------
. bench/common.sh
install_missing wrk=wrk h2load=nghttp2-client curl=curl
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# --- build -----------------------------------------------------------------------------------------------------------
# servesharp is measured as it is deployed (bench/common.sh); the ceiling is an ordinary Release build.
log "publishing servesharp (Release, ReadyToRun) and building the ceiling"
publish_servesharp "$PUBLISH"
dotnet build bench/Ceiling -c Release -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | sort -u >&2 || true
SERVESHARP=$PUBLISH/servesharp
NATIVE=$PUBLISH/servesharp-serve
case ${BENCH_SERVER:-native} in
  native) SERVER_DESC="\`servesharp-serve\` (src/ServeSharp.Serve, Native AOT), what \`servesharp up\` runs" ;;
  tool) SERVER_DESC="\`servesharp serve\` (ReadyToRun, framework-dependent)" ;;
  *) log "BENCH_SERVER must be native or tool"; exit 2 ;;
esac
CEILING=bench/Ceiling/bin/Release/net10.0/Ceiling
[ -x "$CEILING" ] || { log "build failed: $CEILING missing"; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/requests" "$WORK/responses" "$WORK/logs"
"$PYTHON" bench/make_requests.py "$WORK/requests" "$MODEL" ${ROWS:+"$ROWS"}

# --- helpers ---------------------------------------------------------------------------------------------------------
now_ns() { date +%s%N; }

# wait_ready URL TIMEOUT_S: poll until URL answers 200; prints nothing, fails on timeout.
wait_ready() {
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  until curl -fs -o /dev/null "$url"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.005
  done
}

# start_servesharp [native|tool]: starts the model server (default: BENCH_SERVER's) and prints its pid.
start_servesharp() {
  local cmd=("$NATIVE")
  [ "${1:-${BENCH_SERVER:-native}}" = tool ] && cmd=("$SERVESHARP" serve)
  "${cmd[@]}" --model_name "$MODEL" --model_dir "$MODEL_DIR" \
    --http_port "$SS_HTTP" --grpc_port "$SS_GRPC" >>"$WORK/logs/servesharp.log" 2>&1 &
  echo $!
}

# stop PID: SIGTERM, then wait until the process is gone (up to 30 s, then SIGKILL). start_servesharp runs in a command
# substitution, so its server is not this shell's child and `wait` alone returned at once: the next cold start then
# began while the last server was still shutting down, and could be answered by it (two 15 and 30 ms "starts").
stop() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 3000); do kill -0 "$1" 2>/dev/null || break; sleep 0.01; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- start-to-ready --------------------------------------------------------------------------------------------------
# Time from spawning the process to the first 200 from /v2/models/<m>/ready (includes the runtime's own start-up and
# the model load), measured over $STARTS cold starts of each build (native model server, then the ReadyToRun tool,
# interleaved); the median is reported.
native_ms=(); tool_ms=()
for _ in $(seq "$STARTS"); do
  for kind in native tool; do
    t0=$(now_ns)
    pid=$(start_servesharp $kind)
    if ! wait_ready "http://127.0.0.1:$SS_HTTP/v2/models/$MODEL/ready" 30; then
      log "servesharp ($kind) did not become ready; log:"; tail -n 30 "$WORK/logs/servesharp.log" >&2; exit 1
    fi
    ms=$(( ($(now_ns) - t0) / 1000000 ))
    if [ $kind = native ]; then native_ms+=("$ms"); else tool_ms+=("$ms"); fi
    stop "$pid"
  done
done
READY_SORTED=$(printf '%s\n' "${native_ms[@]}" | sort -n | tr '\n' ' ')
MEDIAN_LINE=$(( (STARTS + 1) / 2 ))
READY_MEDIAN=$(printf '%s\n' "${native_ms[@]}" | sort -n | sed -n "${MEDIAN_LINE}p")
TOOL_SORTED=$(printf '%s\n' "${tool_ms[@]}" | sort -n | tr '\n' ' ')
TOOL_MEDIAN=$(printf '%s\n' "${tool_ms[@]}" | sort -n | sed -n "${MEDIAN_LINE}p")
log "start-to-ready ms: servesharp-serve $READY_SORTED(median $READY_MEDIAN); servesharp serve $TOOL_SORTED(median $TOOL_MEDIAN)"

# --- servers ---------------------------------------------------------------------------------------------------------
SS_PID=$(start_servesharp); pids+=("$SS_PID")
wait_ready "http://127.0.0.1:$SS_HTTP/v2/models/$MODEL/ready" 30

# Record servesharp's answers; the ceiling replays exactly these bytes.
for b in b1 b64; do
  curl -fsS -H 'content-type: application/json' --data-binary @"$WORK/requests/v1-$b.json" \
    "http://127.0.0.1:$SS_HTTP/v1/models/$MODEL:predict" -o "$WORK/responses/v1-$b.json"
  curl -fsS -H 'content-type: application/json' --data-binary @"$WORK/requests/v2-$b.json" \
    "http://127.0.0.1:$SS_HTTP/v2/models/$MODEL/infer" -o "$WORK/responses/v2-$b.json"
  curl -fsS --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$WORK/requests/grpc-$b.bin" -D "$WORK/responses/grpc-$b.headers" \
    "http://127.0.0.1:$SS_GRPC$GRPC_PATH" -o "$WORK/responses/grpc-$b.bin"
  grep -qi '^grpc-status: 0' "$WORK/responses/grpc-$b.headers" \
    || { log "gRPC ModelInfer ($b) did not return grpc-status 0:"; cat "$WORK/responses/grpc-$b.headers" >&2; exit 1; }
done
log "servesharp V1 answer (batch 1): $(cat "$WORK/responses/v1-b1.json")"
MODEL_DESC="\`$MODEL_DIR\` (ONNX, LogisticRegression on iris, FP32 [N,4] → INT64 [N])"
if [ -n "$NAME" ]; then
  # What servesharp says the model is (V2 metadata), e.g. "xgboost; input-0 FP32 [-1,4] → output-0 FP32 [-1]".
  MODEL_DESC="\`$MODEL_DIR\` ($(curl -fsS "http://127.0.0.1:$SS_HTTP/v2/models/$MODEL" | "$PYTHON" -c '
import json, sys
m = json.load(sys.stdin)
def t(ts):
    return ", ".join("%s %s [%s]" % (x["name"], x["datatype"], ",".join(map(str, x["shape"]))) for x in ts)
print("%s; %s → %s" % (m.get("platform", "?"), t(m.get("inputs", [])), t(m.get("outputs", []))))'); rows from ${ROWS:-the built-in iris rows})"
fi

"$CEILING" --responses "$WORK/responses" --http-port "$CE_HTTP" --grpc-port "$CE_GRPC" \
  >>"$WORK/logs/ceiling.log" 2>&1 &
CE_PID=$!; pids+=("$CE_PID")
wait_ready "http://127.0.0.1:$CE_HTTP/v2/health/ready" 30 || { log "ceiling did not start"; cat "$WORK/logs/ceiling.log" >&2; exit 1; }

# --- load ------------------------------------------------------------------------------------------------------------
# wrk_run NAME URL BODY_FILE SECONDS -> writes $WORK/logs/NAME.txt
wrk_run() {
  local name=$1 url=$2 body=$3 seconds=$4 lua="$WORK/$1.lua"
  write_post_lua "$lua" "$body"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$lua" "$url" >"$WORK/logs/$name.txt" 2>&1
}

# h2load_run NAME URL BODY_FILE STREAMS SECONDS -> writes $WORK/logs/NAME.txt and NAME.tsv (per-request log)
h2load_run() {
  local name=$1 url=$2 body=$3 streams=$4 seconds=$5
  h2load -t"$THREADS" -c"$CONNECTIONS" -m"$streams" -D "$seconds" \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$body" \
    --log-file "$WORK/logs/$name.tsv" "$url" >"$WORK/logs/$name.txt" 2>&1
}

# Echo "rps p50_ms p99_ms errors" for a finished run (argument: the log name's path without .txt).
wrk_stats() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors }' "$1.txt"
}

h2load_stats() {
  local rps errors
  rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^req\/s/) print $i + 0 }' "$1.txt")
  # "requests: T total, S started, D done, OK succeeded, F failed, E errored, X timeout"
  errors=$(awk '/^requests:/ { gsub(/,/, ""); print $10 + $12 + $14 }' "$1.txt")
  cut -f3 "$1.tsv" 2>/dev/null | sort -n | awk -v rps="${rps:-0}" -v errors="${errors:-0}" '
    { v[NR] = $1 }
    END {
      if (NR == 0) { printf "%.0f 0 0 %d\n", rps, errors; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
      i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
      printf "%.0f %.2f %.2f %d\n", rps, v[i50] / 1000, v[i99] / 1000, errors
    }'
}

# requests_done LOG KIND: how many requests the finished run completed (wrk: "N requests in"; h2load: "D done").
requests_done() {
  case $2 in
    wrk) awk '/ requests in / { print $1 }' "$1.txt" ;;
    h2load) awk '/^requests:/ { gsub(/,/, ""); print $6 }' "$1.txt" ;;
  esac
}

ss_url() { case $1 in v1) echo "http://127.0.0.1:$SS_HTTP/v1/models/$MODEL:predict" ;; v2) echo "http://127.0.0.1:$SS_HTTP/v2/models/$MODEL/infer" ;; esac; }
ce_url() { case $1 in v1) echo "http://127.0.0.1:$CE_HTTP/v1/models/$2:predict" ;; v2) echo "http://127.0.0.1:$CE_HTTP/v2/models/$2/infer" ;; esac; }

log "JIT warm-up: ${WARMUP}s per target and protocol"
for proto in v1 v2; do
  wrk_run "warmup-ss-$proto" "$(ss_url $proto)" "$WORK/requests/$proto-b1.json" "$WARMUP"
  wrk_run "warmup-ce-$proto" "$(ce_url $proto b1)" "$WORK/requests/$proto-b1.json" "$WARMUP"
done
h2load_run warmup-ss-grpc "http://127.0.0.1:$SS_GRPC$GRPC_PATH" "$WORK/requests/grpc-b1.bin" 10 "$WARMUP"
h2load_run warmup-ce-grpc "http://127.0.0.1:$CE_GRPC$GRPC_PATH" "$WORK/requests/grpc-b1.bin" 10 "$WARMUP"

# measure_scenario NAME KIND SS_ARGS... -- CE_ARGS...: BENCH_ROUNDS rounds of four measured runs, A B B A (A is
# servesharp in odd rounds and the ceiling in even ones), each after BENCH_SCENARIO_WARMUP seconds of unmeasured load
# when the target changes. KIND is wrk or h2load; the args are the run function's after the log name. Appends
# "NAME|ss stats|ce stats|ratios|cpu" to rows, where the stats are each target's median run (by req/s), ratios lists
# each round's servesharp/ceiling ratio of summed req/s and cpu is "servesharp ceiling": each target's median over its
# runs of the process's CPU time (user + system) per completed request, in µs. CPU per request leaves out the load
# generator's share of the cores, so it moves less between machines and spells than req/s does.
measure_scenario() {
  local name=$1 kind=$2; shift 2
  local ss_args=() ce_args=()
  while [ "$1" != -- ]; do ss_args+=("$1"); shift; done; shift
  ce_args=("$@")
  local run=${kind}_run stats=${kind}_stats round order target previous part log line ss_sum ce_sum ticks
  local ss_lines=() ce_lines=() ratios=() ss_cpu=() ce_cpu=()
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order=(ss ce ce ss); else order=(ce ss ss ce); fi
    previous="" part=0 ss_sum=0 ce_sum=0
    for target in "${order[@]}"; do
      part=$((part + 1))
      log="$target-$(printf '%s' "$name" | tr -cs 'A-Za-z0-9' '-')r$round-$part"
      if [ $target = ss ]; then
        [ "$previous" = ss ] || $run "pre-$target" "${ss_args[@]}" "$SCENARIO_WARMUP"
        ticks=$(cpu_ticks "$SS_PID")
        $run "$log" "${ss_args[@]}" "$DURATION"
        ss_cpu+=("$(cpu_per_request $(($(cpu_ticks "$SS_PID") - ticks)) "$(requests_done "$WORK/logs/$log" "$kind")")")
        line=$($stats "$WORK/logs/$log"); ss_lines+=("$line")
        ss_sum=$(awk -v a="$ss_sum" -v b="${line%% *}" 'BEGIN { print a + b }')
      else
        [ "$previous" = ce ] || $run "pre-$target" "${ce_args[@]}" "$SCENARIO_WARMUP"
        ticks=$(cpu_ticks "$CE_PID")
        $run "$log" "${ce_args[@]}" "$DURATION"
        ce_cpu+=("$(cpu_per_request $(($(cpu_ticks "$CE_PID") - ticks)) "$(requests_done "$WORK/logs/$log" "$kind")")")
        line=$($stats "$WORK/logs/$log"); ce_lines+=("$line")
        ce_sum=$(awk -v a="$ce_sum" -v b="${line%% *}" 'BEGIN { print a + b }')
      fi
      previous=$target
    done
    ratios+=("$(awk -v a="$ss_sum" -v b="$ce_sum" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print 0 }')")
  done
  local mid=$(( ${#ss_lines[@]} / 2 ))
  local cpu_mid=$(( (${#ss_cpu[@]} + 1) / 2 ))
  local cpu="$(printf '%s\n' "${ss_cpu[@]}" | sort -n | sed -n "${cpu_mid}p") $(printf '%s\n' "${ce_cpu[@]}" | sort -n | sed -n "${cpu_mid}p")"
  rows+=("$name|$(printf '%s\n' "${ss_lines[@]}" | sort -n | sed -n "${mid}p")|$(printf '%s\n' "${ce_lines[@]}" | sort -n | sed -n "${mid}p")|${ratios[*]}|$cpu")
  log "$name: servesharp/ceiling per round ${ratios[*]} (%); CPU µs per request, servesharp and ceiling: $cpu"
}

rows=()
for proto in v1 v2; do
  for b in b1 b64; do
    name="REST ${proto^^} batch ${b#b}"
    log "$name"
    measure_scenario "$name" wrk "$(ss_url $proto)" "$WORK/requests/$proto-$b.json" -- "$(ce_url $proto $b)" "$WORK/requests/$proto-$b.json"
  done
done
for streams in 1 10; do
  for b in b1 b64; do
    name="gRPC ModelInfer batch ${b#b}, $streams stream(s)/conn"
    log "$name"
    measure_scenario "$name" h2load "http://127.0.0.1:$SS_GRPC$GRPC_PATH" "$WORK/requests/grpc-$b.bin" "$streams" -- \
      "http://127.0.0.1:$CE_GRPC$GRPC_PATH" "$WORK/requests/grpc-$b.bin" "$streams"
  done
done

# --- report ----------------------------------------------------------------------------------------------------------
# The ONNX example's rows as bench/run.sh last wrote them into $OUTPUT (the model-server section).
onnx_section() {
  [ -f "$OUTPUT" ] || return 0
  awk '$0 == "<!-- BEGIN model-server -->" { on = 1; next } $0 == "<!-- END model-server -->" { on = 0 } on' "$OUTPUT"
}
# onnx_ratio SCENARIO: that scenario's "servesharp / ceiling" in the model-server section, or n/a.
onnx_ratio() {
  onnx_section | awk -F'|' -v name="$1" '
    { n = $2; gsub(/^ +| +$/, "", n) }
    n == name { r = $(NF - 1); gsub(/ /, "", r); found = r }
    END { print (found == "" ? "n/a" : found) }'
}
# onnx_run: "date …, commit …" of the model-server section, or "absent".
onnx_run() {
  onnx_section | awk -F'|' '
    { k = $2; v = $3; gsub(/^ +| +$/, "", k); gsub(/^ +| +$/, "", v) }
    k == "date (UTC)" { d = v } k == "commit" { c = v }
    END { if (d == "") print "absent"; else printf "run %s UTC, commit %s\n", d, c }'
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
kind="full run"
[ "$DURATION" -lt 5 ] && kind="SMOKE RUN (durations too short for meaningful numbers)"
{
  if [ -z "$NAME" ]; then
    echo "## Model server (ONNX example) vs bare Kestrel/gRPC"
    echo
    echo "Written by \`bench/run.sh\` — $kind. Do not edit by hand; re-run the script."
  else
    echo "## Model server (\`$MODEL_DIR\`) vs bare Kestrel/gRPC"
    echo
    echo "Written by \`BENCH_MODEL_DIR=$MODEL_DIR bench/run.sh\` — $kind. Do not edit by hand; re-run the script."
  fi
  echo
  echo "| condition | value |"
  echo "| --- | --- |"
  echo "| date (UTC) | $(date -u '+%Y-%m-%d %H:%M') |"
  echo "| commit | $commit |"
  echo "| machine | $(nproc) cores, $cpu; server, ceiling and load generator share them |"
  echo "| load average at end | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| model | $MODEL_DESC |"
  echo "| load | ${CONNECTIONS} connections, $THREADS load threads; $ROUNDS rounds per scenario, each running the targets in the order A B B A (servesharp first in odd rounds), ${DURATION}s measured per run, after ${SCENARIO_WARMUP}s unmeasured load when the target changes; ${WARMUP}s JIT warm-up per target and protocol first |"
  echo "| tools | $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), h2load $(h2load --version 2>&1 | awk '{print $NF}' | head -n1) |"
  echo "| server measured | $SERVER_DESC |"
  echo "| builds | tool: \`dotnet publish src/ServeSharp.Cli -c Release -r linux-x64 -p:PublishReadyToRun=true\`; native: \`dotnet publish src/ServeSharp.Serve -c Release -r linux-x64\` (bench/common.sh) |"
  echo "| ceiling | \`bench/Ceiling\`: bare Kestrel (REST, HTTP/1.1) and bare gRPC service replaying servesharp's recorded responses |"
  echo
  echo "Start to ready (spawn → first 200 from \`/v2/models/$MODEL/ready\`, $STARTS cold starts each): \`servesharp-serve\` (native) median **${READY_MEDIAN} ms** (all: ${READY_SORTED% }); \`servesharp serve\` (ReadyToRun tool) median ${TOOL_MEDIAN} ms (all: ${TOOL_SORTED% })."
  echo
  if [ -z "$NAME" ]; then
    echo "| scenario | servesharp req/s | p50 ms | p99 ms | errors | ceiling req/s | p50 ms | p99 ms | CPU µs/req servesharp / ceiling | per-round ratios | servesharp / ceiling |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  else
    echo "| scenario | servesharp req/s | p50 ms | p99 ms | errors | ceiling req/s | p50 ms | p99 ms | CPU µs/req servesharp / ceiling | per-round ratios | servesharp / ceiling | ONNX example / ceiling |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  fi
  for row in "${rows[@]}"; do
    IFS='|' read -r name ss ce rounds cpu <<<"$row"
    read -r ss_rps ss_p50 ss_p99 ss_err <<<"$ss"
    read -r ce_rps ce_p50 ce_p99 _ <<<"$ce"
    read -r ss_cpu ce_cpu <<<"$cpu"
    ratio=$(printf '%s\n' $rounds | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")%
    if [ -z "$NAME" ]; then
      echo "| $name | $ss_rps | $ss_p50 | $ss_p99 | $ss_err | $ce_rps | $ce_p50 | $ce_p99 | $ss_cpu / $ce_cpu | ${rounds// / · } | $ratio |"
    else
      echo "| $name | $ss_rps | $ss_p50 | $ss_p99 | $ss_err | $ce_rps | $ce_p50 | $ce_p99 | $ss_cpu / $ce_cpu | ${rounds// / · } | $ratio | $(onnx_ratio "$name") |"
    fi
  done
  echo
  echo "req/s and latencies: the median run of each target; servesharp / ceiling: the median of the per-round ratios"
  echo "(each round's ratio: servesharp's req/s summed over its two runs over the ceiling's). Errors: the median run's."
  echo "CPU µs/req: each process's user + system CPU time (/proc) per completed request, the median over its runs; it"
  echo "leaves out the load generator's share of the cores, so it moves less between machines than req/s."
  echo "p50/p99: wrk's latency distribution (REST); h2load's per-request log (gRPC). h2load counts HTTP status only;"
  echo "the run checked \`grpc-status: 0\` on servesharp's recorded answers before loading. Raw output: \`$WORK/logs/\`."
  if [ -n "$NAME" ]; then
    echo
    echo "ONNX example / ceiling: the last column of the model-server section of this file ($(onnx_run)), written by"
    echo "\`bench/run.sh\`; n/a where that section has no such row. Compare runs made on the same quiet machine."
  fi
} >"$WORK/section.md"
bench/replace-section.sh "$SECTION" "$WORK/section.md" "$OUTPUT"
log "wrote the $SECTION section of $OUTPUT"
cat "$WORK/section.md"
