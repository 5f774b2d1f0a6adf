#!/usr/bin/env bash
# The main job in one command, on a fresh Debian/Ubuntu machine with Node.js >= 20.19:
# installs pnpm and the project's dependencies, builds, then copies the example image the
# repository carries oci: -> dir: -> oci-archive: with the skopeo-ts CLI and inspects the result.
# Installing pnpm globally needs root or sudo. Nothing else is installed on the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export TURBO_TELEMETRY_DISABLED=1
PNPM_VERSION=12.4.2

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm@$PNPM_VERSION"
  if [ "$(id -u)" = 0 ]; then npm install -g "pnpm@$PNPM_VERSION"; else sudo npm install -g "pnpm@$PNPM_VERSION"; fi
fi
echo "==> installing dependencies and building the skopeo-ts command"
pnpm install --frozen-lockfile
pnpm exec turbo run build --filter=skopeo-ts...

skopeo_ts() { node apps/skopeo-ts/dist/cli.js "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> skopeo-ts copy oci:examples/images/hello:latest dir:$work/hello"
skopeo_ts copy oci:examples/images/hello:latest "dir:$work/hello"
echo "==> skopeo-ts copy dir:$work/hello oci-archive:$work/hello.tar:latest"
skopeo_ts copy "dir:$work/hello" "oci-archive:$work/hello.tar:latest"
echo "==> skopeo-ts inspect oci-archive:$work/hello.tar:latest"
skopeo_ts inspect "oci-archive:$work/hello.tar:latest"
