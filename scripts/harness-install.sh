#!/usr/bin/env bash
# Installs the VS Code integration-test harness into ./.vscode-harness (gitignored), idempotently:
# code-server 4.100.3 (= VS Code 1.100.3, from npm) and code-shim.mjs, the stand-in "VS Code executable" that
# @vscode/test-electron's runTests({ vscodeExecutablePath }) drives. Works as root on a fresh machine, no stdin,
# with only the npm registry and Debian apt reachable. Recipe: ../shared/vscode-harness/install-code-server.sh.
# Usage: bash scripts/harness-install.sh      (FORCE=1 reinstalls code-server)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROOT=${HARNESS_ROOT:-$REPO/.vscode-harness}
CS_VERSION=4.100.3; RG_PKG_VERSION=1.15.11; RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
CS_BIN="$ROOT/cs/node_modules/.bin/code-server"
t0=$(date +%s); STEP=start; step() { STEP=$*; echo "== [harness $(( $(date +%s)-t0 ))s] $*"; }
trap 'rc=$?; echo "harness-install: step \"$STEP\" failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2; exit $rc' ERR
mkdir -p "$ROOT"/{tmp,cs,tools}

# code-server writes ~/.config/code-server/config.yaml (and says so on stdout) on its first run under a HOME: run it
# under HOME and XDG folders of its own that start empty, so nothing from (or for) the user's HOME is involved.
iso=$(mktemp -d "$ROOT/tmp/home.XXXXXX")
mkdir -p "$iso"/{home,config,data,cache,state}
export HOME="$iso/home" XDG_CONFIG_HOME="$iso/config" XDG_DATA_HOME="$iso/data" XDG_CACHE_HOME="$iso/cache" XDG_STATE_HOME="$iso/state"
cleanup() { rm -rf "$iso"; }
trap cleanup EXIT

MARKER="$ROOT/cs/.installed-$CS_VERSION"   # written only after a complete install (postinstall included)
# The version line is the one that starts with a version number: other lines (the first-run config notice) may precede it.
installed_version() { "$CS_BIN" --version 2>/dev/null | grep -m1 -oE '^[0-9]+\.[0-9]+\.[0-9]+' || true; }
if [ -n "${FORCE:-}" ] || [ ! -f "$MARKER" ] || [ ! -x "$CS_BIN" ] || [ "$(installed_version)" != "$CS_VERSION" ]; then
  export TMPDIR="$ROOT/tmp" npm_config_cache="$ROOT/npm-cache"
  export npm_config_nodedir=${npm_config_nodedir:-/usr}   # node-gyp: local headers (/usr/include/node), never nodejs.org
  export npm_config_yes=true                              # node-pty's postinstall runs `npx node-gyp`
  # npm >= 11.x blocks dependency install scripts by default; code-server's postinstall (which itself runs nested
  # `npm install`s for VS Code's native modules) must run. Scoped to this isolated, version-pinned install only.
  export npm_config_dangerously_allow_all_scripts=true
  export DEBIAN_FRONTEND=noninteractive

  if [ "$(id -u)" = 0 ]; then
    step "apt: chromium ripgrep libkrb5-dev build-essential python3"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium ripgrep libkrb5-dev build-essential python3 curl ca-certificates >/dev/null
  else
    for b in chromium rg make python3; do command -v "$b" >/dev/null || { echo "harness: '$b' missing; as root: apt-get install chromium ripgrep libkrb5-dev build-essential python3" >&2; exit 1; }; done
  fi

  step "ripgrep: pre-seed @vscode/ripgrep's download cache with Debian's rg (no GitHub download)"
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION"
  tar czf "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C "$(dirname "$(command -v rg)")" rg

  step "npm install code-server@$CS_VERSION (about 2 minutes)"
  (cd "$ROOT/cs" && rm -rf node_modules package-lock.json .installed-* && echo '{"name":"cs-host","private":true}' > package.json \
    && npm_config_unsafe_perm=true npm install --no-audit --no-fund --unsafe-perm "code-server@$CS_VERSION" > install.log 2>&1) \
    || { tail -40 "$ROOT/cs/install.log"; exit 1; }
  step "check the installed code-server"
  test -x "$ROOT/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" \
    || { echo "harness-install: @vscode/ripgrep has no rg binary (see $ROOT/cs/install.log)" >&2; exit 1; }
  v=$(installed_version)
  [ "$v" = "$CS_VERSION" ] || { echo "harness-install: code-server --version says '${v:-nothing}', expected $CS_VERSION; its output:" >&2; "$CS_BIN" --version >&2 || true; exit 1; }
  touch "$MARKER"
else
  step "code-server $CS_VERSION already installed in $ROOT/cs"
fi

# The shim imports playwright-core, resolved from the project's node_modules (a devDependency; ../../node_modules).
cp "$REPO/scripts/harnessCodeShim.mjs" "$ROOT/tools/code-shim.mjs"; chmod +x "$ROOT/tools/code-shim.mjs"
step "check chromium"
command -v chromium >/dev/null || test -x "${CHROMIUM:-/usr/bin/chromium}" || { echo "harness-install: no chromium (apt-get install chromium)" >&2; exit 1; }
step "ready: code-server $(installed_version), shim $ROOT/tools/code-shim.mjs"
