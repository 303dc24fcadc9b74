#!/usr/bin/python3
"""Large SGEMM GFLOP/s of OpenBLAS (libopenblas.so.0) with 1 and 2 threads, via ctypes.
Part of tests/bench/compare_pytorch.sh: the machine's practical peak. Prints JSON."""
import ctypes
import ctypes.util
import json
import sys
import time

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1536
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas") or ""):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            lib = None
    if lib is None:
        print(json.dumps({"error": "libopenblas.so.0 not found"}))
        return 0
    F = ctypes.c_float
    a = (F * (n * n))(*([0.5] * (n * n)))
    b = (F * (n * n))(*([0.25] * (n * n)))
    c = (F * (n * n))()
    try:
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode()
    except AttributeError:
        print(json.dumps({"error": "the library found is not OpenBLAS"}))
        return 0
    out = {"core": core}
    for threads in (1, 2):
        lib.openblas_set_num_threads(threads)
        times = []
        for r in range(6):
            t0 = time.perf_counter()
            # cblas_sgemm(RowMajor=101, NoTrans=111, NoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
            lib.cblas_sgemm(101, 111, 111, n, n, n, F(1.0), a, n, b, n, F(0.0), c, n)
            if r:
                times.append(time.perf_counter() - t0)
        # every element of C is n * 0.5 * 0.25 (exact in float): a kernel set that gets it wrong
        # must not count as the machine's peak
        if any(c[i] != n * 0.125 for i in (0, n * n // 2 + 7, n * n - 1)):
            print(json.dumps({"error": "OpenBLAS %s kernels: wrong product" % core}))
            return 0
        times.sort()
        out[str(threads)] = 2.0 * n ** 3 / times[len(times) // 2] / 1e9
    print(json.dumps(out))
    return 0

if __name__ == "__main__":
    sys.exit(main())
