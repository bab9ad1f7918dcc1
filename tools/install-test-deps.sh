#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK. Idempotent and quick when everything is present:
# each step checks a stamp and does nothing when its inputs did not change.
set -euo pipefail
cd "$(dirname "$0")"

# npm emulators used by the storage tests (s3rver for S3, azurite for Azure Blob), pinned by the lock file.
# `npm ci` runs only when node_modules is missing or package-lock.json changed since the last install.
install_npm_tree() {
  local dir=$1
  local stamp="$dir/node_modules/.servesharp-lock.sha256"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-test-deps: npm is required for $dir (install Node.js 20+)" >&2
    return 1
  fi
  echo "install-test-deps: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

install_npm_tree test-deps
