#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest:
#   1. the Release build (the product) and all its suites;
#   2. every suite again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the kernels, threading and window suites under ThreadSanitizer;
#   4. the libFuzzer targets (clang) for the experiment parser and the safetensors reader, each
#      for NS_FUZZ_SECONDS (default 60) from the seed and regression corpora.
# Each in its own build folder. Safe to run again: builds are incremental (ninja + ccache).
# NS_TEST_STAGES picks stages, e.g. NS_TEST_STAGES="release fuzz" (default: all four).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ns_install_deps clang libclang-rt-14-dev

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/normscope-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"  # hits across clones in other folders
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-4G}"
jobs=$(ns_jobs)
stages="${NS_TEST_STAGES:-release asan tsan fuzz}"
want() { [[ " $stages " == *" $1 "* ]]; }
started=$SECONDS
stamp() { echo "    ($(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s so far)"; }

if want release; then
  echo "==> Release build"
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$jobs"
  echo "==> Tests (Release)"
  ctest --preset release -j "$jobs"
  stamp
fi

if want asan; then
  echo "==> Every test under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  asan_ctest() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --preset asan "$@"
  }
  if ! asan_ctest -j "$jobs"; then
    # LeakSanitizer's own stop-the-world tracer now and then crashes at a test's exit, after
    # every test function has passed ("Tracer caught signal 11", then "LeakSanitizer has
    # encountered a fatal error"; google/sanitizers#1353): a fault of the checker, not a leak
    # report. A suite that failed that way, and only that way, runs once more; any other
    # failure (a leak report, a failed check, an ASan or UBSan error) fails the stage.
    tmp=build-asan/Testing/Temporary
    if [[ ! -s $tmp/LastTestsFailed.log ]]; then
      echo "    ctest failed without naming a failed test (see $tmp/LastTest.log)"
      exit 1
    fi
    for t in $(cut -d: -f2 "$tmp/LastTestsFailed.log"); do
      out=$(awk -v t="$t" '$0 ~ "^[0-9]+/[0-9]+ Testing: "t"$" {on = 1}
                           on {print}
                           on && index($0, "\""t"\" end time") == 1 {exit}' "$tmp/LastTest.log")
      if grep -q 'Tracer caught signal' <<<"$out" &&
         grep -q 'LeakSanitizer has encountered a fatal error' <<<"$out" &&
         grep -qE '^Totals: [0-9]+ passed, 0 failed' <<<"$out" &&
         ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$out"; then
        echo "    $t: every test passed, then LeakSanitizer's tracer crashed at exit; running it again"
      else
        echo "    $t failed (see $tmp/LastTest.log)"
        exit 1
      fi
    done
    asan_ctest --rerun-failed
  fi
  stamp
fi

if want tsan; then
  echo "==> Kernels, threading and window tests under ThreadSanitizer"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target tst_engine_kernels tst_engine_trainer tst_engine_session tst_engine_model tst_ui_mainwindow tst_ui_hardening normscope
  # history_size=7: the longest access history TSan keeps per thread (4M accesses instead of
  # 128K), so that the other side of a report can still be restored and matched against the
  # suppressions (a TBB worker's write, unrestorable with the default, was reported once).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:history_size=7:suppressions=$PWD/tests/sanitizers/tsan.supp" \
    ctest --preset tsan -j 1
  stamp
fi

if want fuzz; then
  seconds="${NS_FUZZ_SECONDS:-60}"
  echo "==> Fuzzing (libFuzzer, ${seconds} s per target)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  work=build-fuzz/work
  rm -rf "$work" && mkdir -p "$work/experiment" "$work/safetensors" "$work/artifacts"
  run_fuzzer() {  # name, seed folders...
    local name=$1; shift
    if ! "build-fuzz/bin/$name" "$work/${name#fuzz_}" "$@" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/$name-" -print_final_stats=1 \
        >"$work/$name.log" 2>&1; then
      tail -40 "$work/$name.log"
      echo "error: $name found a crash; the input is in $work/artifacts/ (add it to tests/fuzz/regressions)" >&2
      return 1
    fi
    echo "    $name: $(grep -o 'number_of_executed_units: [0-9]*' "$work/$name.log" | grep -o '[0-9]*') executions in ${seconds} s, no crash"
  }
  run_fuzzer fuzz_experiment resources/experiments tests/data/bad_experiments tests/fuzz/regressions
  run_fuzzer fuzz_safetensors tests/fuzz/seeds tests/data/bad_safetensors tests/fuzz/regressions
  stamp
fi
echo "==> All tests passed"
