#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest:
#   1. the Release build (the product) and all its suites;
#   2. the engine suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Safe to run again: builds are incremental (ninja + ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ns_install_deps

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/normscope-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"  # hits across clones in other folders
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
jobs=$(ns_jobs)

echo "==> Release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
echo "==> Tests (Release)"
ctest --preset release -j "$jobs"

echo "==> Engine tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs"
echo "==> All tests passed"
