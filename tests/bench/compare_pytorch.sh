#!/usr/bin/env bash
# NormScope against PyTorch on the CPU, same model, same weights, same batch, in one run:
# the lesson model and configs S and M, Post-LN and Pre-LN. NormScope at 1 and 2 threads;
# PyTorch (Debian's python3-torch with libopenblas0-pthread) at its best of 1 or 2 threads,
# with and without OPENBLAS_NUM_THREADS=1, and, where the environment forces an OpenBLAS kernel
# set (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE), also with the set OpenBLAS detects itself; a PyTorch
# setting whose loss on the first batch disagrees with NormScope's is not counted (a kernel set
# that computes wrong results must not win). Median step time (forward, backward, Adam) of
# --steps steps after 3 warm-up steps. Also the large-SGEMM peaks of OpenBLAS, Eigen and
# NormScope's own product, and NormScope's forward, backward and Adam medians of the rows its
# table uses (normscope-bench --phases). With --rounds N every measurement is taken N times, each config's
# two sides back to back, and each side keeps its best: on a shared machine whose speed drifts
# within minutes, the ratio then compares like with like.
#
#   tests/bench/compare_pytorch.sh [--steps N] [--rounds N] [--configs lesson,S,M]
#
# Needs a Release build (scripts/run.sh or scripts/test.sh made one). Without PyTorch it says
# how to install it and prints NormScope's side alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=20
rounds=1
configs="lesson,S,M"
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bin=build/bin
if [ ! -x "$bin/normscope-bench" ] || [ ! -x "$bin/normscope" ]; then
  cmake --preset release >/dev/null && cmake --build --preset release --target normscope normscope-bench
fi
py=/usr/bin/python3
have_torch=1
openblas=""
"$py" -c "import torch" 2>/dev/null || have_torch=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A L D H F T B V
L[lesson]=6;  D[lesson]=64;  H[lesson]=4; F[lesson]=256;  T[lesson]=16; B[lesson]=32; V[lesson]=32
L[S]=6;       D[S]=128;      H[S]=4;      F[S]=512;       T[S]=32;      B[S]=32;      V[S]=32
L[M]=12;      D[M]=256;      H[M]=8;      F[M]=1024;      T[M]=64;      B[M]=32;      V[M]=64

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# NormScope: normscope-bench --steps $steps; $rounds round(s), each config's NormScope and PyTorch runs back to back"
if [ "$have_torch" = 1 ]; then
  echo "# PyTorch $("$py" -c 'import torch; print(torch.__version__)')"
else
  echo "# PyTorch is not installed: sudo apt-get install python3-torch libopenblas0-pthread"
fi
IFS=, read -ra cfgs <<< "$configs"
# OpenBLAS kernel sets to try: as the environment says, and, when it forces one, as detected.
cores=("")
if [ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]; then
  cores+=(detected)
  echo "# The environment forces OpenBLAS's kernels (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}): PyTorch and OpenBLAS run both with it and without it"
fi
: > "$work/ns.txt"; : > "$work/torch.txt"; : > "$work/blas.txt"; : > "$work/cores.txt"
# The machine is shared: its speed drifts by tens of percent within minutes. Each round measures
# every config's two sides one right after the other; each side keeps its best round.
for round in $(seq "$rounds"); do
  for c in "${cfgs[@]}"; do
    "$bin/normscope-bench" --steps "$steps" --config "$c" --threads 1,2 --phases | tee -a "$work/ns.txt" |
      sed -n "s/^# cores 0 and 1 (\(.*\)): .* in \([0-9.]*\) us, on the same in \([0-9.]*\) us (\(.*\))$/round $round $c \1: \4 (\2 against \3 us)/p" >> "$work/cores.txt"
    [ "$have_torch" = 1 ] || continue
    for pl in post pre; do
      exp="$work/$c-$pl.json"
      run="$work/$c-$pl-run"
      if [ ! -d "$run" ]; then
        cat > "$exp" <<JSON
{ "format": "normscope-experiment", "version": 1, "name": "bench $c $pl",
  "model": { "layers": ${L[$c]}, "d_model": ${D[$c]}, "heads": ${H[$c]}, "d_ff": ${F[$c]},
             "vocab": ${V[$c]}, "max_len": ${T[$c]}, "placement": "$pl" },
  "train": { "task": "reverse", "seq_len": ${T[$c]}, "batch": ${B[$c]}, "seed": 0 } }
JSON
        "$bin/normscope" probe "$exp" --out "$work/$c-$pl" --threads 1 >/dev/null 2>&1
        ln -s "$(ls -d "$work/$c-$pl"/*/ | head -1)" "$run"
      fi
      for th in 1 2; do
        for ob in "" 1; do
          for core in "${cores[@]}"; do
            out=$(env ${core:+-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE} ${ob:+OPENBLAS_NUM_THREADS=$ob} "$py" \
                  tests/bench/pytorch_bench.py "$run/" --layers "${L[$c]}" --d-model "${D[$c]}" --heads "${H[$c]}" \
                  --d-ff "${F[$c]}" --placement "$pl" --threads "$th" --steps "$steps")
            echo "$out" | "$py" -c '
import json, sys
d = json.load(sys.stdin)
ok = abs(d["loss_torch"] - d["loss_normscope"]) <= 1e-4 * max(1.0, abs(d["loss_normscope"]))
print(sys.argv[1], sys.argv[2], "%.2f" % d["ms"], sys.argv[3] + ", OpenBLAS " + d["openblas_core"],
      "ok" if ok else "WRONG", "%.5f / %.5f" % (d["loss_normscope"], d["loss_torch"]))' \
              "$c" "$pl" "$th thr${ob:+, OPENBLAS_NUM_THREADS=1}" >> "$work/torch.txt"
          done
        done
      done
    done
  done
  if [ "$have_torch" = 1 ]; then
    for core in "${cores[@]}"; do
      env ${core:+-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE} "$py" tests/bench/openblas_sgemm.py >> "$work/blas.txt"
    done
  fi
done
# best SGEMM peaks of all rounds
for kind in Eigen "NormScope gemm_acc"; do
  for t in 1 2; do
    sed -n "s/^# SGEMM.*($kind, one product per thread, $t threads\{0,1\}): \([0-9.]*\) GFLOP\/s$/\1/p" "$work/ns.txt" |
      sort -g | tail -1 | sed "s/^/# SGEMM 1536^3 ($kind, one product per thread, $t thread$([ "$t" = 1 ] || echo s)), best round: /; s/$/ GFLOP\/s/"
  done
done | tee "$work/peaks.txt"
blas1=$(sed -n 's/.*"1": \([0-9.]*\).*/\1/p' "$work/blas.txt" | sort -g | tail -1 | awk '{printf "%.1f", $1}')
blas2=$(sed -n 's/.*"2": \([0-9.]*\).*/\1/p' "$work/blas.txt" | sort -g | tail -1 | awk '{printf "%.1f", $1}')
if grep -q '"error"' "$work/blas.txt"; then sort -u "$work/blas.txt" | grep '"error"' | sed 's/^/# OpenBLAS SGEMM not counted: /'; fi
if [ -n "$blas2" ]; then
  core=$(sed -n 's/.*"core": "\([^"]*\)".*"2": \([0-9.]*\).*/\2 \1/p' "$work/blas.txt" | sort -g | tail -1 | cut -d' ' -f2-)
  echo "# OpenBLAS SGEMM 1536^3 (PyTorch's), best round and kernel set: 1 thread $blas1, 2 threads $blas2 GFLOP/s (best 2-thread figure with OpenBLAS's $core kernels)"
fi
# How far apart the two cores were around each NormScope run (normscope-bench's cross-core read)
if [ -s "$work/cores.txt" ]; then
  echo "# Cross-core read of 2 MiB, other core against same core, around each NormScope run:"
  sed 's/^/#   /' "$work/cores.txt"
fi
if grep -q " WRONG " "$work/torch.txt"; then
  echo "# Not counted, the loss disagreed with NormScope's:"; grep " WRONG " "$work/torch.txt" | sed 's/^/#   /'
fi
# NormScope's best median per config, placement and thread count
ns_best() {  # config placement threads -> "ms GFLOP/s"
  awk -F'|' -v c="$1" -v p="$2" -v t="$3" '$2 ~ " "c" " && $3 ~ " "p" " && $4+0 == t { ms = $5 + 0; if (best == "" || ms < best) { best = ms; g = $7 + 0 } }
    END { if (best != "") printf "%.2f %.1f\n", best, g }' "$work/ns.txt"
}
# The forward, backward and Adam medians (normscope-bench --phases) of the same best rows
ns_phases() {  # config placement threads -> "forward backward Adam" ms
  awk -F'|' -v c="$1" -v p="$2" -v t="$3" '$2 ~ " "c" " && $3 ~ " "p" " && $4+0 == t && NF >= 13 { ms = $5 + 0; if (best == "" || ms < best) { best = ms; f = $10 + 0; b = $11 + 0; a = $12 + 0 } }
    END { if (best != "") printf "%.2f %.2f %.3f\n", f, b, a }' "$work/ns.txt"
}
echo
echo "| config | placement | NormScope 1 thread ms | NormScope 2 threads ms | PyTorch best ms (setting) | ratio 1t | ratio 2t | loss NormScope / PyTorch |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for c in "${cfgs[@]}"; do
  for pl in post pre; do
    read -r ns1 _ < <(ns_best "$c" "$pl" 1)
    read -r ns2 _ < <(ns_best "$c" "$pl" 2)
    if [ "$have_torch" = 0 ]; then
      echo "| $c | $pl | $ns1 | $ns2 | - | - | - | - |"
      continue
    fi
    IFS='|' read -r best best_setting losses < <(awk -v c="$c" -v p="$pl" '$1 == c && $2 == p && $(NF - 3) == "ok" {
        ms = $3 + 0; setting = $4; for (i = 5; i <= NF - 4; ++i) setting = setting " " $i
        if (best == "" || ms < best) { best = ms; bs = setting; l = $(NF - 2) " / " $NF } }
      END { if (best == "") print "-|no setting with the right loss|-"; else printf "%.2f|%s|%s\n", best, bs, l }' "$work/torch.txt")
    r1=$(awk -v a="$ns1" -v b="$best" 'BEGIN{ if (b + 0 > 0) printf "%.2fx", a/b; else print "-" }')
    r2=$(awk -v a="$ns2" -v b="$best" 'BEGIN{ if (b + 0 > 0) printf "%.2fx", a/b; else print "-" }')
    echo "| $c | $pl | $ns1 | $ns2 | $best ($best_setting) | $r1 | $r2 | $losses |"
  done
done
echo
echo "ratio = NormScope's median step time / PyTorch's best; below 1 NormScope is faster."
# Fraction of the best large SGEMM (Eigen's, OpenBLAS's or NormScope's, 2 threads) and 1 -> 2
# thread scaling, from each side's best round.
eigen2=$(sed -n 's/^# SGEMM.*(Eigen, .*, 2 threads), best round: \([0-9.]*\) GFLOP\/s$/\1/p' "$work/peaks.txt")
own2=$(sed -n 's/^# SGEMM.*(NormScope gemm_acc, .*, 2 threads), best round: \([0-9.]*\) GFLOP\/s$/\1/p' "$work/peaks.txt")
read -r best_gemm best_name < <(awk -v a="${eigen2:-0}" -v b="${blas2:-0}" -v c="${own2:-0}" \
  'BEGIN{ n = "Eigen"; m = a; if (b > m) { m = b; n = "OpenBLAS" } if (c > m) { m = c; n = "NormScope gemm_acc" } print m, n }')
echo
echo "| config | placement | GFLOP/s 2 threads | of best SGEMM ($best_name, $best_gemm GFLOP/s) | 2 threads vs 1 |"
echo "| --- | --- | --- | --- | --- |"
for c in "${cfgs[@]}"; do
  for pl in post pre; do
    read -r t1 _ < <(ns_best "$c" "$pl" 1)
    read -r t2 g2 < <(ns_best "$c" "$pl" 2)
    awk -v c="$c" -v p="$pl" -v t1="$t1" -v t2="$t2" -v g2="$g2" -v peak="$best_gemm" \
      'BEGIN { printf "| %s | %s | %.1f | %.0f%% | %.2fx |\n", c, p, g2, (peak > 0 ? 100 * g2 / peak : 0), (t2 > 0 ? t1 / t2 : 0) }'
  done
done
echo
echo "NormScope's phases in the same rows (forward with zeroing the gradients, backward, Adam; medians, ms):"
echo
echo "| config | placement | threads | forward | backward | Adam | 2 threads vs 1: forward / backward / Adam |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for c in "${cfgs[@]}"; do
  for pl in post pre; do
    f1= b1= a1= f2= b2= a2=
    read -r f1 b1 a1 < <(ns_phases "$c" "$pl" 1) || true
    read -r f2 b2 a2 < <(ns_phases "$c" "$pl" 2) || true
    echo "| $c | $pl | 1 | ${f1:--} | ${b1:--} | ${a1:--} | |"
    awk -v c="$c" -v p="$pl" -v f1="$f1" -v b1="$b1" -v a1="$a1" -v f2="$f2" -v b2="$b2" -v a2="$a2" \
      'BEGIN { r = (f2 > 0 && b2 > 0 && a2 > 0) ? sprintf("%.2fx / %.2fx / %.2fx", f1 / f2, b1 / b2, a1 / a2) : "-"
               printf "| %s | %s | 2 | %s | %s | %s | %s |\n", c, p, f2 == "" ? "-" : f2, b2 == "" ? "-" : b2, a2 == "" ? "-" : a2, r }'
  done
done
