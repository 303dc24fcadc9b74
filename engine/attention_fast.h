// Attention of one (sequence, head) in single precision on AVX-512, for sequences of at most 16
// positions (the lesson models): a row of the T x T scores is one 16-lane register, so the scores
// and their softmax (forward) and dP and its softmax backward (backward) never leave registers,
// and each of the six small products is a run of broadcast-FMAs over a register block of T rows
// (T a compile-time constant: everything unrolls). Longer sequences (config S's 32 positions, M's
// 64) run the products through gemm.h's kernel and the softmax along rows of 16 lanes: against
// Eigen's products, a training step at 2 threads went 38.5 -> 30.3 ms on config S and 489 -> 461
// ms on M (Post-LN, one back-to-back run). Heads too large for the stack
// (T * dh > 16384), double, and machines without AVX-512 use the Eigen version in kernels.h;
// tst_engine_kernels (floatAttention) checks both kernels against the plain references in double.
//
// Layout as in kernels.h: qkv (N, 3D) with q, k, v side by side, ctx and dctx (N, D), att
// (B, H, T, T). Every sum runs over its terms in a fixed order: results depend on the shapes only.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include <Eigen/Core>

#include "engine/gemm.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

// GCC 12's AVX-512 intrinsics pass an uninitialized "undefined" register where the result does
// not depend on it, and warn about it (GCC bug 105593, fixed in 12.3).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace ns {

inline constexpr int kFastAttentionMaxT = 16;
inline constexpr int kFastAttentionMaxDh = 128;

#if defined(__AVX512F__)
inline constexpr bool kHaveFastAttention = true;

namespace attention_detail {

inline __mmask16 lanes(int n) { return n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1); }

// Every lane = the sum (the max) of x's 16 lanes, in a fixed order. (Masked forms with a full
// mask: GCC 12's unmasked shuffles and _mm512_reduce_*_ps warn of an uninitialized register.)
inline __m512 all_sum(__m512 x) {
    x = _mm512_add_ps(x, _mm512_mask_shuffle_f32x4(x, 0xFFFF, x, x, _MM_SHUFFLE(1, 0, 3, 2)));
    x = _mm512_add_ps(x, _mm512_mask_shuffle_f32x4(x, 0xFFFF, x, x, _MM_SHUFFLE(2, 3, 0, 1)));
    x = _mm512_add_ps(x, _mm512_mask_permute_ps(x, 0xFFFF, x, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm512_add_ps(x, _mm512_mask_permute_ps(x, 0xFFFF, x, _MM_SHUFFLE(2, 3, 0, 1)));
}
inline __m512 all_max(__m512 x) {
    x = _mm512_max_ps(x, _mm512_mask_shuffle_f32x4(x, 0xFFFF, x, x, _MM_SHUFFLE(1, 0, 3, 2)));
    x = _mm512_max_ps(x, _mm512_mask_shuffle_f32x4(x, 0xFFFF, x, x, _MM_SHUFFLE(2, 3, 0, 1)));
    x = _mm512_max_ps(x, _mm512_mask_permute_ps(x, 0xFFFF, x, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm512_max_ps(x, _mm512_mask_permute_ps(x, 0xFFFF, x, _MM_SHUFFLE(2, 3, 0, 1)));
}

// Where one (sequence b, head h) lives in the layout above: its q (k and v follow D and 2D further)
// and dq in qkv and dqkv, rows ld = 3D apart; its rows of ctx and dctx, D apart; its (Tn, Tn)
// block of att. scale = 1 / sqrt(dh).
struct Head {
    int dh;
    float scale;
    std::ptrdiff_t ld, qkv, ctx, att;
    Head(int b, int h, int Tn, int D, int H)
        : dh(D / H),
          scale(1.0f / std::sqrt(static_cast<float>(D / H))),
          ld(3 * static_cast<std::ptrdiff_t>(D)),
          qkv(static_cast<std::ptrdiff_t>(b) * Tn * ld + static_cast<std::ptrdiff_t>(h) * dh),
          ctx(static_cast<std::ptrdiff_t>(b) * Tn * D + static_cast<std::ptrdiff_t>(h) * dh),
          att((static_cast<std::ptrdiff_t>(b) * H + h) * Tn * Tn) {}
};

// acc[r] = sum_k A(r, k) B[k, 0..15] for r < R, A(r, k) = A[r*am + k*ak], B rows ldb apart
// (lanes outside m read as 0).
template <int R>
inline void product(__m512 (&acc)[R], int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak, const float* B,
                    std::ptrdiff_t ldb, __mmask16 m) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k) {
        const __m512 b = _mm512_maskz_loadu_ps(m, B + k * ldb);
        const float* a = A + k * ak;
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * am]), b, acc[r]);
    }
}

// out rows (ld apart) = or += acc, lanes m.
template <int R>
inline void store(float* out, std::ptrdiff_t ld, const __m512 (&acc)[R], __mmask16 m, bool assign) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        float* o = out + r * ld;
        _mm512_mask_storeu_ps(o, m, assign ? acc[r] : _mm512_add_ps(_mm512_maskz_loadu_ps(m, o), acc[r]));
    }
}

// out (dh, 16) = the first R rows of in (R, dh), rows ld apart, transposed (lanes R.. not written).
template <int R>
inline void transpose(float* __restrict out, const float* __restrict in, std::ptrdiff_t ld, int dh) {
    for (int c = 0; c < dh; c += 16) transpose16(out + c * 16, 16, in + c, ld, R, std::min(16, dh - c));
}

template <int R>
void forward(float* ctx, float* att, const float* qkv, int b, int h, int D, int H, bool causal) {
    const Head hd(b, h, R, D, H);
    const int dh = hd.dh;
    const float scale = hd.scale;
    const std::ptrdiff_t ld = hd.ld;
    const float* q = qkv + hd.qkv;
    const float* k = q + D;
    const float* v = q + 2 * D;
    float* P = att + hd.att;
    const __mmask16 mT = lanes(R);
    alignas(64) float kt[kFastAttentionMaxDh * 16];
    transpose<R>(kt, k, ld, dh);
    __m512 s[R];
    product<R>(s, dh, q, ld, 1, kt, 16, mT);
    const __m512 vscale = _mm512_set1_ps(scale);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        const __mmask16 valid = causal ? lanes(r + 1) : mT;  // keys allowed: 0..r when causal
        const __m512 x = _mm512_mul_ps(s[r], vscale);
        const __m512 mx = all_max(_mm512_mask_mov_ps(_mm512_set1_ps(-INFINITY), valid, x));
        const __m512 e = _mm512_maskz_mov_ps(valid, Eigen::internal::pexp(_mm512_maskz_sub_ps(valid, x, mx)));
        _mm512_mask_storeu_ps(P + r * R, mT, _mm512_mul_ps(e, _mm512_div_ps(_mm512_set1_ps(1.0f), all_sum(e))));
    }
    float* o = ctx + hd.ctx;
    for (int c = 0; c < dh; c += 16) {
        const __mmask16 md = lanes(dh - c);
        __m512 acc[R];
        product<R>(acc, R, P, R, 1, v + c, ld, md);
        store<R>(o + c, D, acc, md, true);
    }
}

template <int R>
void backward(float* dqkv, const float* dctx, const float* att, const float* qkv, int b, int h, int D, int H,
              bool assign) {
    const Head hd(b, h, R, D, H);
    const int dh = hd.dh;
    const float scale = hd.scale;
    const std::ptrdiff_t ld = hd.ld;
    const float* q = qkv + hd.qkv;
    const float* k = q + D;
    const float* v = q + 2 * D;
    float* dq = dqkv + hd.qkv;
    float* dk = dq + D;
    float* dv = dq + 2 * D;
    const float* dO = dctx + hd.ctx;
    const float* P = att + hd.att;
    const __mmask16 mT = lanes(R);
    // dV = P^T dO
    for (int c = 0; c < dh; c += 16) {
        const __mmask16 md = lanes(dh - c);
        __m512 acc[R];
        product<R>(acc, R, P, 1, R, dO + c, D, md);
        store<R>(dv + c, ld, acc, md, assign);
    }
    // dP = dO V^T, then the softmax backward dS = P (dP - rowsum(dP P)) s, row by row in registers.
    alignas(64) float vt[kFastAttentionMaxDh * 16];
    transpose<R>(vt, v, ld, dh);
    __m512 dp[R];
    product<R>(dp, dh, dO, D, 1, vt, 16, mT);
    alignas(64) float dS[16 * 16];
    const __m512 vscale = _mm512_set1_ps(scale);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        const __m512 p = _mm512_maskz_loadu_ps(mT, P + r * R);
        const __m512 dot = all_sum(_mm512_mul_ps(dp[r], p));
        _mm512_store_ps(dS + r * 16, _mm512_mul_ps(_mm512_mul_ps(p, _mm512_sub_ps(dp[r], dot)), vscale));
    }
    // dQ = dS K, dK = dS^T Q
    for (int c = 0; c < dh; c += 16) {
        const __mmask16 md = lanes(dh - c);
        __m512 acc[R];
        product<R>(acc, R, dS, 16, 1, k + c, ld, md);
        store<R>(dq + c, ld, acc, md, assign);
        product<R>(acc, R, dS, 1, 16, q + c, ld, md);
        store<R>(dk + c, ld, acc, md, assign);
    }
}

using Forward = void (*)(float*, float*, const float*, int, int, int, int, bool);
using Backward = void (*)(float*, const float*, const float*, const float*, int, int, int, int, bool);

template <std::size_t... I>
constexpr std::array<Forward, sizeof...(I)> forward_table(std::index_sequence<I...>) {
    return {&forward<static_cast<int>(I) + 1>...};
}
template <std::size_t... I>
constexpr std::array<Backward, sizeof...(I)> backward_table(std::index_sequence<I...>) {
    return {&backward<static_cast<int>(I) + 1>...};
}

// Longer sequences: the six products of one head go through gemm.h's kernel, and the softmax
// and its backward run along each row of scores, 16 lanes at a time.

// kt (dh, Tn) = x (Tn, dh) transposed, rows of x ld apart.
inline void transpose_head(float* __restrict out, const float* __restrict in, std::ptrdiff_t ld, int Tn, int dh) {
    for (int r = 0; r < Tn; r += 16)
        for (int c = 0; c < dh; c += 16)
            transpose16(out + static_cast<std::ptrdiff_t>(c) * Tn + r, Tn, in + r * ld + c, ld, std::min(16, Tn - r),
                        std::min(16, dh - c));
}

// row[0..n) = softmax(scale * row) over its first `valid` entries, zeros after them.
inline void softmax_row(float* row, int n, int valid, float scale) {
    const __m512 vs = _mm512_set1_ps(scale);
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < valid; j += 16) {
        const __mmask16 m = lanes(valid - j);
        mx = _mm512_mask_max_ps(mx, m, mx, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), vs));
    }
    mx = all_max(mx);
    __m512 sum = _mm512_setzero_ps();
    for (int j = 0; j < valid; j += 16) {
        const __mmask16 m = lanes(valid - j);
        const __m512 x = _mm512_sub_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), vs), mx);
        const __m512 e = _mm512_maskz_mov_ps(m, Eigen::internal::pexp(_mm512_maskz_mov_ps(m, x)));
        _mm512_mask_storeu_ps(row + j, m, e);
        sum = _mm512_add_ps(sum, e);
    }
    const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), all_sum(sum));
    for (int j = 0; j < n; j += 16) {
        const __mmask16 keep = j < valid ? lanes(valid - j) : __mmask16(0);
        _mm512_mask_storeu_ps(row + j, lanes(n - j), _mm512_maskz_mul_ps(keep, _mm512_maskz_loadu_ps(keep, row + j), inv));
    }
}

// ds[0..n) = p (dp - sum(dp p)) scale, with dp given in ds.
inline void softmax_backward_row(float* ds, const float* p, int n, float scale) {
    __m512 dot = _mm512_setzero_ps();
    for (int j = 0; j < n; j += 16) {
        const __mmask16 m = lanes(n - j);
        dot = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, ds + j), _mm512_maskz_loadu_ps(m, p + j), dot);
    }
    dot = all_sum(dot);
    const __m512 vs = _mm512_set1_ps(scale);
    for (int j = 0; j < n; j += 16) {
        const __mmask16 m = lanes(n - j);
        const __m512 pj = _mm512_maskz_loadu_ps(m, p + j);
        _mm512_mask_storeu_ps(ds + j, m, _mm512_mul_ps(_mm512_mul_ps(pj, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, ds + j), dot)), vs));
    }
}

}  // namespace attention_detail

// Stack taken by the longer sequences' kernels for K^T or V^T: Tn * dh floats at most.
inline constexpr int kGemmAttentionMaxTDh = 16384;

// Whether the product-based kernels take sequences of Tn positions with heads of dh features.
inline bool gemm_attention_fits(int Tn, int dh) {
    return Tn >= 1 && dh >= 1 && static_cast<long>(Tn) * dh <= kGemmAttentionMaxTDh;
}

// As attention_forward_head in kernels.h, for any length; needs gemm_attention_fits(Tn, D / H).
inline void attention_forward_head_gemm(float* ctx, float* att, const float* qkv, int b, int h, int Tn, int D, int H,
                                        bool causal) {
    using namespace attention_detail;
    const Head hd(b, h, Tn, D, H);
    const int dh = hd.dh;
    const std::ptrdiff_t ld = hd.ld;
    const float* q = qkv + hd.qkv;
    const float* k = q + D;
    const float* v = q + 2 * D;
    float* P = att + hd.att;
    alignas(64) float kt[kGemmAttentionMaxTDh];
    transpose_head(kt, k, ld, Tn, dh);
    gemm_set(Tn, Tn, dh, q, ld, 1, kt, Tn, P, Tn, nullptr);  // scores, scaled in the softmax
    for (int r = 0; r < Tn; ++r) softmax_row(P + static_cast<std::ptrdiff_t>(r) * Tn, Tn, causal ? r + 1 : Tn, hd.scale);
    gemm_set(Tn, dh, Tn, P, Tn, 1, v, ld, ctx + hd.ctx, D, nullptr);
}

// As attention_backward_head in kernels.h, for any length, with dS (Tn, Tn) as scratch; needs
// gemm_attention_fits(Tn, D / H).
inline void attention_backward_head_gemm(float* dqkv, float* dS, const float* dctx, const float* att, const float* qkv,
                                         int b, int h, int Tn, int D, int H, bool assign) {
    using namespace attention_detail;
    const Head hd(b, h, Tn, D, H);
    const int dh = hd.dh;
    const float scale = hd.scale;
    const std::ptrdiff_t ld = hd.ld;
    const float* q = qkv + hd.qkv;
    const float* k = q + D;
    const float* v = q + 2 * D;
    float* dq = dqkv + hd.qkv;
    float* dk = dq + D;
    float* dv = dq + 2 * D;
    const float* dO = dctx + hd.ctx;
    const float* P = att + hd.att;
    // C = or += A B, as the head's gradients are assigned or added
    const auto product = [assign](int M, int N, int K, const float* A, std::ptrdiff_t am, std::ptrdiff_t ak,
                                  const float* B, std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc) {
        if (assign) gemm_set(M, N, K, A, am, ak, B, ldb, C, ldc, nullptr);
        else gemm_acc(M, N, K, A, am, ak, B, ldb, C, ldc);
    };
    product(Tn, dh, Tn, P, 1, Tn, dO, D, dv, ld);  // dV = P^T dO
    alignas(64) float vt[kGemmAttentionMaxTDh];
    transpose_head(vt, v, ld, Tn, dh);
    gemm_set(Tn, Tn, dh, dO, D, 1, vt, Tn, dS, Tn, nullptr);  // dP = dO V^T
    for (int r = 0; r < Tn; ++r)
        softmax_backward_row(dS + static_cast<std::ptrdiff_t>(r) * Tn, P + static_cast<std::ptrdiff_t>(r) * Tn, Tn, scale);
    product(Tn, dh, Tn, dS, Tn, 1, k, ld, dq, ld);  // dQ = dS K
    product(Tn, dh, Tn, dS, 1, Tn, q, ld, dk, ld);  // dK = dS^T Q
}

// Whether the fast kernels take sequences of Tn positions with heads of dh features.
inline bool fast_attention_fits(int Tn, int dh) {
    return Tn >= 1 && Tn <= kFastAttentionMaxT && dh >= 1 && dh <= kFastAttentionMaxDh;
}

// As attention_forward_head in kernels.h; needs fast_attention_fits(Tn, D / H).
inline void attention_forward_head_fast(float* ctx, float* att, const float* qkv, int b, int h, int Tn, int D, int H,
                                        bool causal) {
    static constexpr auto table = attention_detail::forward_table(std::make_index_sequence<kFastAttentionMaxT>{});
    table[Tn - 1](ctx, att, qkv, b, h, D, H, causal);
}

// As attention_backward_head in kernels.h (no scratch needed); needs fast_attention_fits(Tn, D / H).
inline void attention_backward_head_fast(float* dqkv, const float* dctx, const float* att, const float* qkv, int b,
                                         int h, int Tn, int D, int H, bool assign) {
    static constexpr auto table = attention_detail::backward_table(std::make_index_sequence<kFastAttentionMaxT>{});
    table[Tn - 1](dqkv, dctx, att, qkv, b, h, D, H, assign);
}
#else
inline constexpr bool kHaveFastAttention = false;
inline bool fast_attention_fits(int, int) { return false; }
inline bool gemm_attention_fits(int, int) { return false; }
void attention_forward_head_gemm(float* ctx, float* att, const float* qkv, int b, int h, int Tn, int D, int H,
                                 bool causal);
void attention_backward_head_gemm(float* dqkv, float* dS, const float* dctx, const float* att, const float* qkv, int b,
                                  int h, int Tn, int D, int H, bool assign);
// Declared only: callers test kHaveFastAttention first.
void attention_forward_head_fast(float* ctx, float* att, const float* qkv, int b, int h, int Tn, int D, int H,
                                 bool causal);
void attention_backward_head_fast(float* dqkv, const float* dctx, const float* att, const float* qkv, int b, int h,
                                  int Tn, int D, int H, bool assign);
#endif

}  // namespace ns

#pragma GCC diagnostic pop
