#!/usr/bin/env bash
# Installs what is missing, builds Release, and opens NormScope on the built-in Post-LN vs Pre-LN
# experiment (or on the experiment file given as argument). Without a display it trains that
# experiment headless and says where the files are.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ns_install_deps fonts-noto-cjk

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/normscope-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"  # hits across clones in other folders
echo "==> Building (Release)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(ns_jobs)" --target normscope

experiment="${1:-resources/experiments/postln_vs_preln.json}"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec build/bin/normscope "$experiment"
fi

out="out/$(basename "$experiment" .json)"
echo "==> No display: training $experiment headless"
build/bin/normscope train "$experiment" --out "$out"
echo "==> Drawing the charts"
build/bin/normscope render "$out" --out "$out/charts" --format png,svg,pdf >/dev/null
echo
echo "Files written to $out/ (one folder per run; metrics.csv holds the training curves):"
find "$out" -type f -not -path "$out/charts/*" | sort | sed 's/^/  /'
echo "Charts (PNG, SVG, PDF) in $out/charts/:"
find "$out/charts" -type f -name '*.png' | sort | sed 's/^/  /'
