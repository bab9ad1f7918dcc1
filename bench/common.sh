# Shared by the benchmark scripts (source it after defining `log`). Nothing here runs on its own.

# install_missing COMMAND=DEBIAN_PACKAGE ...: installs the packages of the commands that are not on PATH.
install_missing() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }
}

# publish_servesharp DIR: servesharp as it is deployed, into DIR: the tool with `dotnet publish` ReadyToRun (precompiled
# code, so start-up does not wait for the JIT) and, beside it, the natively compiled model server servesharp-serve
# (src/ServeSharp.Serve, Native AOT), which `servesharp up` then runs for its replicas. Fails when either is missing.
# The native compile takes minutes; it is skipped when DIR/servesharp-serve is newer than every source file.
publish_servesharp() {
  dotnet publish src/ServeSharp.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$1" -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | sort -u >&2 || true
  [ -x "$1/servesharp" ] || { log "publish failed: $1/servesharp missing"; return 1; }
  if [ ! -x "$1/servesharp-serve" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props -newer "$1/servesharp-serve" \
       -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
    log "publishing the native model server (servesharp-serve, Native AOT; takes a few minutes)"
    dotnet publish src/ServeSharp.Serve -c Release -r linux-x64 -o "$1" -v quiet -nologo 2>&1 \
      | grep -E " error |rror\(s\)" | sort -u >&2 || true
    touch "$1/servesharp-serve" 2>/dev/null || true
  fi
  [ -x "$1/servesharp-serve" ] || { log "publish failed: $1/servesharp-serve missing"; return 1; }
}

# write_post_lua LUA_FILE BODY_FILE [HOST]: a wrk script that POSTs BODY_FILE (relative paths are taken from the
# current directory) as JSON, with a Host header when HOST is given.
write_post_lua() {
  local body=$2
  [ "${body#/}" != "$body" ] || body="$PWD/$body"
  {
    echo "local f = assert(io.open(\"$body\", \"rb\"))"
    echo 'wrk.method = "POST"'
    echo 'wrk.body = f:read("*a")'
    echo 'f:close()'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    if [ -n "${3:-}" ]; then echo "wrk.headers[\"Host\"] = \"$3\""; fi
  } >"$1"
}

# cpu_ticks PID: the process's user + system time in clock ticks (/proc/PID/stat fields 14 and 15, counted after the
# command name, which may hold spaces).
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}

# cpu_per_request TICKS REQUESTS: µs of CPU per request.
cpu_per_request() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0) }'; }
