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

# publish_servesharp DIR: servesharp as it is deployed, `dotnet publish` with ReadyToRun (precompiled code, so start-up
# does not wait for the JIT), into DIR; fails when DIR/servesharp is missing afterwards.
publish_servesharp() {
  dotnet publish src/ServeSharp.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$1" -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | sort -u >&2 || true
  [ -x "$1/servesharp" ] || { log "publish failed: $1/servesharp missing"; return 1; }
}
