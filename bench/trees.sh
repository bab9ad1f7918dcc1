#!/usr/bin/env bash
# Tree models vs the native libraries (issue #4): BenchmarkDotNet in bench/Trees, comparing ServeSharp's tree engine
# with XGBoost's libxgboost (Debian package libxgboost0, what xgbserver calls) and LightGBM's lib_lightgbm (from the
# LightGBM NuGet package). Installs libxgboost0 when it is missing, then writes the trees section of bench/RESULTS.md.
#
#   bench/trees.sh            full run (a few minutes)
#   bench/trees.sh --quick    one short pass of every case, nothing written
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bench] %s\n' "$*" >&2; }
. bench/common.sh

if ! ldconfig -p | grep -q 'libxgboost\.so\.0'; then
  log "installing libxgboost0"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq libxgboost0 >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq libxgboost0 >/dev/null; }
fi

exec dotnet run -c Release --project bench/Trees -- "$@"
