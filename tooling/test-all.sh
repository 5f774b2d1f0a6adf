#!/usr/bin/env bash
# The one command that runs every test of skopeo-ts on a fresh Debian/Ubuntu machine with Node:
# installs the Debian packages of the test peers, pnpm and the project's dependencies, then
# lints, builds, type-checks and runs all tests. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Native addons must build against the machine's Node headers, never download them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1

PNPM_VERSION=12.4.2
# Real peers the tests talk to (see tooling/testkit).
DEBIAN_PEERS=(skopeo docker-registry apache2-utils ca-certificates openssl docker.io podman openssh-server fuse-overlayfs g++ make python3)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${DEBIAN_PEERS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm@$PNPM_VERSION"
  as_root npm install -g "pnpm@$PNPM_VERSION"
fi

echo "==> pnpm install"
pnpm install --frozen-lockfile

echo "==> lint"
pnpm run lint

echo "==> build"
pnpm run build

echo "==> typecheck"
pnpm run typecheck

echo "==> quick start (the README's first command)"
bash examples/quickstart.sh

echo "==> test"
find . -name .test-results.json -not -path '*/node_modules/*' -delete
status=0
pnpm exec turbo run test --concurrency=2 --continue -- --reporter=default --reporter=json --outputFile.json=.test-results.json || status=$?
node tooling/scripts/summarize-tests.mjs || status=1
exit $status
