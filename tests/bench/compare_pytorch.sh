#!/usr/bin/env bash
# NormScope against PyTorch on the CPU, same model, same weights, same batch, in one run:
# the lesson model and configs S and M, Post-LN and Pre-LN. NormScope at 1 and 2 threads;
# PyTorch (Debian's python3-torch with libopenblas0-pthread) at its best of 1 or 2 threads,
# with and without OPENBLAS_NUM_THREADS=1. Median step time (forward, backward, Adam) of
# --steps steps after 3 warm-up steps. Also the large-SGEMM peak of OpenBLAS and Eigen.
#
#   tests/bench/compare_pytorch.sh [--steps N] [--configs lesson,S,M]
#
# Needs a Release build (scripts/run.sh or scripts/test.sh made one). Without PyTorch it says
# how to install it and prints NormScope's side alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=20
configs="lesson,S,M"
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
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
echo "# NormScope: normscope-bench --steps $steps"
"$bin/normscope-bench" --steps "$steps" --config "$configs" --threads 1,2 | tee "$work/ns.txt" | grep '^#'
if [ "$have_torch" = 1 ]; then
  openblas=$("$py" tests/bench/openblas_sgemm.py)
  echo "# OpenBLAS SGEMM 1536^3: $openblas"
  echo "# PyTorch $("$py" -c 'import torch; print(torch.__version__)')"
else
  echo "# PyTorch is not installed: sudo apt-get install python3-torch libopenblas0-pthread"
fi
echo
echo "| config | placement | NormScope 1 thread ms | NormScope 2 threads ms | PyTorch best ms (setting) | ratio 1t | ratio 2t | loss NormScope / PyTorch |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
IFS=, read -ra cfgs <<< "$configs"
for c in "${cfgs[@]}"; do
  for pl in post pre; do
    ns1=$(awk -F'|' -v c="$c" -v p="$pl" '$2 ~ " "c" " && $3 ~ " "p" " && $4+0 == 1 {gsub(/ /,"",$5); print $5}' "$work/ns.txt")
    ns2=$(awk -F'|' -v c="$c" -v p="$pl" '$2 ~ " "c" " && $3 ~ " "p" " && $4+0 == 2 {gsub(/ /,"",$5); print $5}' "$work/ns.txt")
    if [ "$have_torch" = 0 ]; then
      echo "| $c | $pl | $ns1 | $ns2 | - | - | - | - |"
      continue
    fi
    exp="$work/$c-$pl.json"
    cat > "$exp" <<JSON
{ "format": "normscope-experiment", "version": 1, "name": "bench $c $pl",
  "model": { "layers": ${L[$c]}, "d_model": ${D[$c]}, "heads": ${H[$c]}, "d_ff": ${F[$c]},
             "vocab": ${V[$c]}, "max_len": ${T[$c]}, "placement": "$pl" },
  "train": { "task": "reverse", "seq_len": ${T[$c]}, "batch": ${B[$c]}, "seed": 0 } }
JSON
    "$bin/normscope" probe "$exp" --out "$work/$c-$pl" --threads 1 >/dev/null 2>&1
    run=$(ls -d "$work/$c-$pl"/*/ | head -1)
    best=""; best_setting=""; losses=""
    for th in 1 2; do
      for ob in "" 1; do
        out=$(env ${ob:+OPENBLAS_NUM_THREADS=$ob} "$py" tests/bench/pytorch_bench.py "$run" --layers "${L[$c]}" \
              --d-model "${D[$c]}" --heads "${H[$c]}" --d-ff "${F[$c]}" --placement "$pl" --threads "$th" --steps "$steps")
        ms=$(echo "$out" | "$py" -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["ms"])')
        losses=$(echo "$out" | "$py" -c 'import json,sys; d=json.load(sys.stdin); print("%.5f / %.5f" % (d["loss_normscope"], d["loss_torch"]))')
        if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN{exit !(a<b)}'; then
          best=$ms; best_setting="$th thr${ob:+, OPENBLAS_NUM_THREADS=1}"
        fi
      done
    done
    r1=$(awk -v a="$ns1" -v b="$best" 'BEGIN{printf "%.2fx", a/b}')
    r2=$(awk -v a="$ns2" -v b="$best" 'BEGIN{printf "%.2fx", a/b}')
    echo "| $c | $pl | $ns1 | $ns2 | $best ($best_setting) | $r1 | $r2 | $losses |"
  done
done
echo
echo "ratio = NormScope's median step time / PyTorch's best; below 1 NormScope is faster."
# Fraction of the best large SGEMM (Eigen's or OpenBLAS's, 2 threads) and 1 -> 2 thread scaling.
eigen2=$(sed -n 's/^# SGEMM.*(Eigen.* 2 threads): \([0-9.]*\) GFLOP\/s$/\1/p' "$work/ns.txt")
own2=$(sed -n 's/^# SGEMM.*(NormScope.* 2 threads): \([0-9.]*\) GFLOP\/s$/\1/p' "$work/ns.txt")
blas2=$(echo "$openblas" | sed -n 's/.*"2": \([0-9.]*\).*/\1/p')
read -r best_gemm best_name < <(awk -v a="${eigen2:-0}" -v b="${blas2:-0}" -v c="${own2:-0}" \
  'BEGIN{ n = "Eigen"; m = a; if (b > m) { m = b; n = "OpenBLAS" } if (c > m) { m = c; n = "NormScope gemm_acc" } print m, n }')
echo
echo "| config | placement | GFLOP/s 2 threads | of best SGEMM ($best_name, $best_gemm GFLOP/s) | 2 threads vs 1 |"
echo "| --- | --- | --- | --- | --- |"
for c in "${cfgs[@]}"; do
  for pl in post pre; do
    awk -F'|' -v c="$c" -v p="$pl" -v peak="$best_gemm" '
      $2 ~ " "c" " && $3 ~ " "p" " && $4+0 == 1 { t1 = $5 + 0 }
      $2 ~ " "c" " && $3 ~ " "p" " && $4+0 == 2 { t2 = $5 + 0; g2 = $7 + 0 }
      END { if (t2 > 0) printf "| %s | %s | %.1f | %.0f%% | %.2fx |\n", c, p, g2, (peak > 0 ? 100 * g2 / peak : 0), (t1 > 0 ? t1 / t2 : 0) }' "$work/ns.txt"
  done
done
