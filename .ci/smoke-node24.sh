#!/usr/bin/env bash
# Runs the smoke test (test/smoke/run.ts) on Node 24, in a clean copy of this working tree with
# its own `npm ci`, so that the isolated-vm 6.x prebuilt binary is what gets installed and loaded.
#
# Node 24 comes from the npm registry's `node` package: its preinstall script installs
# node-<platform>-<arch> (the whole Node distribution: bin/node and include/) and hard-links its
# binary to node_modules/node/bin/node. Nothing is downloaded from anywhere but the npm registry.
#
# Env: NODE24_SPEC (default node@24), KEEP_SMOKE_DIR=1 keeps the temp dir even on success.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_spec=${NODE24_SPEC:-node@24}
work=$(mktemp -d "${TMPDIR:-/tmp}/rapport-node24-XXXXXX")
started=$SECONDS
ok=0

finish() {
  if [[ $ok == 1 && ${KEEP_SMOKE_DIR:-0} != 1 ]]; then
    rm -rf "$work"
  else
    echo "smoke-node24: work dir kept at $work"
  fi
}
trap finish EXIT

phase() { printf '\n-- smoke-node24: %s (t=%ss)\n' "$1" "$((SECONDS - started))"; }

phase "installing $node_spec from the npm registry"
mkdir -p "$work/node"
# npm 11 runs dependency install scripts only when allowed; the node package needs its preinstall.
cat >"$work/node/package.json" <<'JSON'
{ "name": "rapport-node24", "private": true, "allowScripts": { "node": true } }
JSON
(cd "$work/node" && timeout 600 npm install --no-audit --no-fund --loglevel=error "$node_spec")
node_bin_dir="$work/node/node_modules/node/bin"
node_version=$("$node_bin_dir/node" --version)
case $node_version in
  v24.*) echo "node $node_version at $node_bin_dir/node" ;;
  *) echo "smoke-node24: expected Node 24, got $node_version" >&2; exit 1 ;;
esac
# The distribution package beside it carries Node 24's headers. The machine's npm config points
# node-gyp at Node 20's (nodedir), which would build isolated-vm 5.x for the wrong ABI.
dist_dir=$(find "$work/node/node_modules/node/node_modules" -maxdepth 1 -name 'node-*' -type d \
  -exec test -d '{}/include/node' ';' -print -quit)

phase "copying the working tree (tracked and untracked, not ignored)"
mkdir -p "$work/repo"
cd "$repo_root"
if git rev-parse --git-dir >/dev/null 2>&1; then
  # Files deleted in the working tree are still listed by ls-files; skip them.
  git ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$work/repo"
else
  tar --exclude=./node_modules --exclude=./.git --exclude=./data -cf - . | tar -xf - -C "$work/repo"
fi
echo "$(find "$work/repo" -type f | wc -l) files in $work/repo"

cd "$work/repo"
export PATH="$node_bin_dir:$PATH"
[[ -n $dist_dir ]] && export npm_config_nodedir="$dist_dir"

phase "npm install on $(node --version) (npm $(npm --version 2>/dev/null))"
if [[ -f package-lock.json ]]; then
  timeout 1200 npm ci --no-audit --no-fund --loglevel=error
else
  timeout 1200 npm install --no-audit --no-fund --loglevel=error
fi
echo "isolated-vm installed: $(ls -d node_modules/isolated-vm-* 2>/dev/null | xargs -n1 basename | tr '\n' ' ')"

phase "npm run smoke"
SMOKE_EXPECT_NODE_MAJOR=24 timeout 600 npm run --silent smoke

ok=1
phase "passed in $((SECONDS - started))s"
