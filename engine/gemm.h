// NormScope's own single-precision matrix product for AVX-512 machines, used by the linear
// layers in float (double, and machines without AVX-512, use Eigen's product):
//
//   C (M x N, row-major, ldc) += A (M x K) B (K x N, row-major, ldb),  A(m, k) = A[m*am + k*ak]
//
// (gemm_acc), or C = r + A B with r a row given or zeros (gemm_set: a linear layer's bias, an
// assigned gradient; C is then never read).
// A is read with any two strides (row-major, or transposed: the weight gradient reads dout^T
// without a transposed copy of it), B by rows. A 12 x 32 block of C lives in 24 vector registers
// while k runs over passes of 256, so each 256 x 32 panel of B is reused from L1 by every 12-row
// block. Small products (the lesson model's) read both operands in place; larger ones whose rows
// lie 1 KiB or more apart first copy each panel of B, and each k pass of A in k-major blocks of
// 12 rows, to contiguous buffers on the stack (no heap): figures in docs/speed-log.md.
// Every C element sums its k terms in increasing order, packed or not (tested bit for bit): the
// result depends on the shapes only, never on threads. Checked against the plain references in
// tst_engine_kernels (floatLinear, gemmPackedMatchesInPlace).
#pragma once

#include <algorithm>
#include <cstddef>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

// GCC 12's AVX-512 intrinsics pass an uninitialized "undefined" register where the result does
// not depend on it, and warn about it (GCC bug 105593, fixed in 12.3).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace ns {

#if defined(__AVX512F__)
inline constexpr bool kHaveFastGemm = true;

// out[c * ldo + r] = in[r * ldi + c] for r < rows, c < cols (both at most 16): a block of up to
// 16 x 16 transposed in registers; nothing else is read or written.
inline void transpose16(float* out, std::ptrdiff_t ldo, const float* in, std::ptrdiff_t ldi, int rows, int cols) {
    const __mmask16 mc = cols >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << cols) - 1);
    const __mmask16 mr = rows >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rows) - 1);
    __m512 r[16], t[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) r[i] = i < rows ? _mm512_maskz_loadu_ps(mc, in + i * ldi) : _mm512_setzero_ps();
    // pairs of rows interleaved, then quadruples, then 128-bit lanes exchanged twice
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
        r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
    }
#pragma GCC unroll 16
    for (int c = 0; c < 16; ++c)
        if (c < cols) _mm512_mask_storeu_ps(out + c * ldo, mr, r[c]);
}

namespace gemm_detail {

inline constexpr int kMR = 12;   // rows of C per register block
inline constexpr int kKC = 256;  // k per pass over a panel of B
inline constexpr int kPackRowsA = 256;  // most rows of A packed at once

// The first n of 16 lanes (none for n <= 0, all for n >= 16).
inline __mmask16 lane_mask(int n) {
    return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : static_cast<__mmask16>((1u << n) - 1);
}

// Where a block of C starts from: C itself (C +=), zeros, or one row repeated (C =).
enum class Start { C, Zero, Row };

template <int R>
[[gnu::always_inline]] inline void block(int kc, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B, std::ptrdiff_t ldb,
                  float* C, std::ptrdiff_t ldc, __mmask16 m0, __mmask16 m1, Start start, const float* row) {
    __m512 c0[R], c1[R];
    if (start != Start::C) {
        const __m512 r0 = start == Start::Row ? _mm512_maskz_loadu_ps(m0, row) : _mm512_setzero_ps();
        const __m512 r1 = start == Start::Row ? _mm512_maskz_loadu_ps(m1, row + 16) : _mm512_setzero_ps();
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            c0[r] = r0;
            c1[r] = r1;
        }
    } else {
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            c0[r] = _mm512_maskz_loadu_ps(m0, C + r * ldc);
            c1[r] = _mm512_maskz_loadu_ps(m1, C + r * ldc + 16);
        }
    }
    for (int k = 0; k < kc; ++k) {
        const float* b = B + k * ldb;
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        const float* a = A + k * ak;
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const __m512 av = _mm512_set1_ps(a[r * am]);
            c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        _mm512_mask_storeu_ps(C + r * ldc, m0, c0[r]);
        _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c1[r]);
    }
}

template <int R>
inline void rows_tail(int rest, int kc, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
                      std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc, __mmask16 m0, __mmask16 m1, Start start,
                      const float* row) {
    if constexpr (R > 0) {
        if (rest == R) block<R>(kc, A, am, ak, B, ldb, C, ldc, m0, m1, start, row);
        else rows_tail<R - 1>(rest, kc, A, am, ak, B, ldb, C, ldc, m0, m1, start, row);
    }
}

// When to copy an operand into a contiguous buffer first. Rows of B (and, for dout^T, the rows
// A's columns live in) that lie 1 KiB or more apart map a panel's k rows onto few L1 sets, and
// the kernel then reads them from L2; packing pays when the panel is long and is reused by several
// register blocks. On the lesson model's shapes everything stays in L1 and packing only costs.
inline bool pack_b(int M, int N, int K, std::ptrdiff_t ldb) { return M >= 2 * kMR && N > 32 && K >= 128 && ldb >= 256; }
inline bool pack_a(int M, int N, int K, std::ptrdiff_t am, std::ptrdiff_t ak) {
    return ((am == 1 && ak >= 256) || (ak == 1 && am >= 256)) && M >= 4 * kMR && N > 32 &&
           K >= 128;
}

// The product with B's panels (kKC x 32) and, when pack_a, A's rows of each k pass (k-major in
// blocks of kMR) copied first. Same sums in the same order as without: C's bits do not change.
[[gnu::noinline]] inline void product_packed(int M, int N, int K, const float* A, std::ptrdiff_t am,
                                             std::ptrdiff_t ak, const float* B, std::ptrdiff_t ldb, float* C,
                                             std::ptrdiff_t ldc, Start first, const float* row) {
    alignas(64) float bpack[kKC * 32];
    alignas(64) float apack[(kPackRowsA + kMR) * kKC];
    const bool packA = pack_a(M, N, K, am, ak), packB = pack_b(M, N, K, ldb);
    for (int k0 = 0; k0 == 0 || k0 < K; k0 += kKC) {  // k passes outermost: C's sums keep their order
        const int kc = std::min(kKC, K - k0);
        const Start start = k0 == 0 ? first : Start::C;
        const float* Ak = A + k0 * ak;
        if (packA) {
            for (int i = 0; i < M; i += kMR) {
                const int h = std::min(kMR, M - i);
                float* dst = apack + i * kc;
                if (am == 1) {
                    const __mmask16 mh = lane_mask(h);
                    for (int k = 0; k < kc; ++k)
                        _mm512_mask_storeu_ps(dst + k * kMR, mh, _mm512_maskz_loadu_ps(mh, Ak + i + k * ak));
                } else {
                    for (int k = 0; k < kc; k += 16)
                        transpose16(dst + k * kMR, kMR, Ak + i * am + k, am, h, std::min(16, kc - k));
                }
            }
        }
        for (int j = 0; j < N; j += 32) {
            const __mmask16 m0 = lane_mask(N - j), m1 = lane_mask(N - j - 16);
            const float* Bk = B + k0 * ldb + j;
            std::ptrdiff_t lb = ldb;
            if (packB) {
                for (int k = 0; k < kc; ++k) {
                    _mm512_store_ps(bpack + k * 32, _mm512_maskz_loadu_ps(m0, Bk + k * ldb));
                    _mm512_store_ps(bpack + k * 32 + 16, _mm512_maskz_loadu_ps(m1, Bk + k * ldb + 16));
                }
                Bk = bpack;
                lb = 32;
            }
            const float* r = row ? row + j : nullptr;
            int i = 0;
            if (packA) {  // constant strides: the broadcasts' addresses need no arithmetic
                for (; i + kMR <= M; i += kMR)
                    block<kMR>(kc, apack + i * kc, 1, kMR, Bk, lb, C + i * ldc + j, ldc, m0, m1, start, r);
                if (i < M)
                    rows_tail<kMR - 1>(M - i, kc, apack + i * kc, 1, kMR, Bk, lb, C + i * ldc + j, ldc, m0, m1, start, r);
            } else {
                for (; i + kMR <= M; i += kMR)
                    block<kMR>(kc, Ak + i * am, am, ak, Bk, lb, C + i * ldc + j, ldc, m0, m1, start, r);
                if (i < M)
                    rows_tail<kMR - 1>(M - i, kc, Ak + i * am, am, ak, Bk, lb, C + i * ldc + j, ldc, m0, m1, start, r);
            }
        }
    }
}

// The product with both operands read in place (the lesson model's shapes, and the reference the
// packed product is tested against bit for bit).
inline void product_in_place(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak,
                             const float* B, std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc, Start first,
                             const float* row) {
    for (int j = 0; j < N; j += 32) {
        const __mmask16 m0 = lane_mask(N - j), m1 = lane_mask(N - j - 16);
        for (int k0 = 0; k0 == 0 || k0 < K; k0 += kKC) {  // once at least: C = row + (empty product)
            const int kc = std::min(kKC, K - k0);
            const float* Bk = B + k0 * ldb + j;
            const Start start = k0 == 0 ? first : Start::C;
            const float* r = row ? row + j : nullptr;
            int i = 0;
            for (; i + kMR <= M; i += kMR)
                block<kMR>(kc, A + i * am + k0 * ak, am, ak, Bk, ldb, C + i * ldc + j, ldc, m0, m1, start, r);
            if (i < M)
                rows_tail<kMR - 1>(M - i, kc, A + i * am + k0 * ak, am, ak, Bk, ldb, C + i * ldc + j, ldc, m0, m1,
                                   start, r);
        }
    }
}

inline void product(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
                    std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc, Start first, const float* row) {
    if (!pack_b(M, N, K, ldb) && !pack_a(M, N, K, am, ak))
        return product_in_place(M, N, K, A, am, ak, B, ldb, C, ldc, first, row);
    for (int i = 0; i < M; i += kPackRowsA)  // in slabs of at most kPackRowsA rows
        product_packed(std::min(kPackRowsA, M - i), N, K, A + i * am, am, ak, B, ldb, C + i * ldc, ldc, first, row);
}

}  // namespace gemm_detail

inline void gemm_acc(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
                     std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc) {
    gemm_detail::product(M, N, K, A, am, ak, B, ldb, C, ldc, gemm_detail::Start::C, nullptr);
}

// As gemm_acc, but C = row + A B: every row of C starts from row[0..N), or from zeros when row
// is null; C is not read.
inline void gemm_set(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
                     std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc, const float* row) {
    using gemm_detail::Start;
    gemm_detail::product(M, N, K, A, am, ak, B, ldb, C, ldc, row ? Start::Row : Start::Zero, row);
}
#else
inline constexpr bool kHaveFastGemm = false;
// Declared only: callers test kHaveFastGemm first (a call without AVX-512 would not link).
void gemm_set(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
              std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc, const float* row);
void gemm_acc(int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
              std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc);
#endif

}  // namespace ns

#pragma GCC diagnostic pop
