#!/usr/bin/env bash
# Installs what is missing, builds Release, and opens NormScope on the built-in Post-LN vs Pre-LN
# experiment. Without a display it probes that experiment headless and says where the files are.
# Any arguments are passed to normscope (for example an experiment file).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ns_install_deps

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/normscope-ccache}"
echo "==> Building (Release)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(ns_jobs)" --target normscope

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec build/bin/normscope "$@"
fi

experiment="${1:-resources/experiments/postln_vs_preln.json}"
out="out/$(basename "$experiment" .json)"
echo "==> No display: probing $experiment headless"
build/bin/normscope probe "$experiment" --out "$out"
echo
echo "Files written to $out/ (one folder per run):"
find "$out" -type f | sort | sed 's/^/  /'
