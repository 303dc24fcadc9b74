// The layers of the model, each a forward/backward pair, templated on the scalar (float for the
// product, double for the gradient checks). Conventions (after llm.c):
//  - outputs first, then caches for backward, then inputs and weights, then sizes;
//  - activations are row-major (rows = B*T positions), weights as PyTorch stores them;
//  - backward ADDS into every gradient it produces (input gradients and parameter gradients);
//    zeroing is an explicit step of the caller;
//  - work is split into fixed-size tiles that own their output, so that the result does not
//    depend on the number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "engine/attention_fast.h"
#include "engine/config.h"
#include "engine/gemm.h"
#include "engine/parallel.h"
#include "engine/rng.h"

namespace ns {

template <class T>
using MatR = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapR = Eigen::Map<MatR<T>>;
template <class T>
using CMapR = Eigen::Map<const MatR<T>>;
template <class T>
using VecMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>;
template <class T>
using CVecMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>;
// A block of columns of a row-major buffer with a row stride: one head's q, k or v.
template <class T>
using StridedR = Eigen::Map<MatR<T>, 0, Eigen::OuterStride<>>;
template <class T>
using CStridedR = Eigen::Map<const MatR<T>, 0, Eigen::OuterStride<>>;

// Fixed tile sizes: part of the numerical contract (changing them may change the last bits).
inline constexpr std::size_t kRowTile = 64;  // rows of activations per task
inline constexpr std::size_t kColTile = 64;  // output features per task in weight gradients

// Tiles of the linear layers' products, from the shape alone (never the thread count, so results
// stay bit-identical): about an eighth of the rows (of the output features for the weight
// gradient), a multiple of 16, between 64 (32) and 256. Large models get large tiles, so that
// each product packs its other operand fewer times; small ones still get several tiles. Up to
// 512 rows of sequences that 48 holds whole (the lesson model's 16 positions), tiles of 48 rows:
// four full 12-row register blocks of gemm.h's kernel, and 11 tiles instead of 8 for two threads
// to share (a tile's height never changes a row's bits: each row is computed alone).
inline std::size_t row_tile(std::size_t rows, std::size_t seq = 0) {
    if (rows <= 512 && seq > 0 && 48 % seq == 0) return 48;
    return std::clamp<std::size_t>((rows / 8 + 15) / 16 * 16, 64, 256);
}
inline std::size_t col_tile(std::size_t cols) {
    return std::clamp<std::size_t>((cols / 8 + 15) / 16 * 16, 32, 256);
}

// Sum of f(0) + ... + f(n-1) in 16 interleaved lanes, added up in a fixed order at the end: the
// compiler vectorizes it (a plain running sum is one long dependency chain), and the result
// depends only on n, never on alignment or threads.
template <class T, class F>
inline T lane_sum(int n, const F& f) {
    constexpr int L = 16;
    T acc[L] = {};
    int i = 0;
    for (; i + L <= n; i += L)
        for (int l = 0; l < L; ++l) acc[l] += f(i + l);
    T s = 0;
    for (; i < n; ++i) s += f(i);
    for (int l = 0; l < L; ++l) s += acc[l];
    return s;
}

// Sum of squares of x[0..n) in double: fixed tiles of kSumTile elements summed in parallel into
// partials (room for sum_squares_partials(n) of them), then the partials in order.
inline constexpr std::size_t kSumTile = std::size_t(1) << 14;
inline std::size_t sum_squares_partials(std::size_t n) { return (n + kSumTile - 1) / kSumTile; }
template <class T>
double sum_squares(const T* x, std::size_t n, double* partials, const Parallel& par) {
    par.for_tiles(n, kSumTile, [&](std::size_t a, std::size_t b) {
        partials[a / kSumTile] = lane_sum<double>(static_cast<int>(b - a), [&](int i) {
            const double v = static_cast<double>(x[a + i]);
            return v * v;
        });
    });
    double s = 0;
    for (std::size_t t = 0; t < sum_squares_partials(n); ++t) s += partials[t];
    return s;
}

// x[i] = exp(x[i]) for i in [0, n), every element through Eigen's vectorized exp (the tail via a
// padded packet), so that the result never depends on where a row starts in memory.
template <class T>
void exp_inplace(T* x, int n) {
    using Packet = typename Eigen::internal::packet_traits<T>::type;
    constexpr int P = Eigen::internal::unpacket_traits<Packet>::size;
    int i = 0;
    for (; i + P <= n; i += P)
        Eigen::internal::pstoreu(x + i, Eigen::internal::pexp(Eigen::internal::ploadu<Packet>(x + i)));
    if (i < n) {
        alignas(64) T tmp[P] = {};
        for (int j = i; j < n; ++j) tmp[j - i] = x[j];
        Eigen::internal::pstoreu(tmp, Eigen::internal::pexp(Eigen::internal::ploadu<Packet>(tmp)));
        for (int j = i; j < n; ++j) x[j] = tmp[j - i];
    }
}

// ---------------------------------------------------------------------------------------------
// Linear: out (N, O) = in (N, I) W^T + b, with W (O, I) and b (O) as torch.nn.Linear.

// A tile's epilogue: called as epi(r0, r1) right after rows [r0, r1) of a product are written,
// while they are still in cache (activation, dropout, residual add, a row-wise norm).
struct NoEpilogue {
    void operator()(std::size_t, std::size_t) const {}
};

// Whether the float products go through gemm_acc (AVX-512) instead of Eigen.
template <class T>
inline constexpr bool use_fast_gemm = kHaveFastGemm && std::is_same_v<T, float>;

// wt[i*O + o] = W[o*I + i] for the rows i in [i0, i1) of W^T, by 16 x 16 blocks.
template <class T>
void transpose_rows(T* __restrict wt, const T* __restrict W, int O, int I, int i0, int i1) {
    for (int ib = i0; ib < i1; ib += 16)
        for (int ob = 0; ob < O; ob += 16) {
            const int ie = std::min(ib + 16, i1), oe = std::min(ob + 16, O);
            if constexpr (use_fast_gemm<T>) {
                transpose16(wt + static_cast<std::size_t>(ib) * O + ob, O, W + static_cast<std::size_t>(ob) * I + ib, I,
                            oe - ob, ie - ib);
                continue;
            }
            for (int i = ib; i < ie; ++i)
                for (int o = ob; o < oe; ++o)
                    wt[static_cast<std::size_t>(i) * O + o] = W[static_cast<std::size_t>(o) * I + i];
        }
}

// Rows [r0, r1) of a linear layer's output, on the calling thread. wt: optional W transposed,
// (I, O) (transpose_rows); with it, float products on AVX-512 use gemm_acc's kernel reading W^T
// by rows (Eigen's product otherwise).
template <class T>
void linear_forward_rows(T* out, const T* in, const T* W, const T* b, int I, int O, std::size_t r0, std::size_t r1,
                         const T* wt) {
    const int n = static_cast<int>(r1 - r0);
    if constexpr (use_fast_gemm<T>) {
        if (wt) {
            gemm_set(n, O, I, in + r0 * I, I, 1, wt, O, out + r0 * O, O, b);
            return;
        }
    }
    CMapR<T> w(W, O, I);
    MapR<T> o(out + r0 * O, n, O);
    CMapR<T> x(in + r0 * I, n, I);
    if (b) {
        o.rowwise() = CVecMap<T>(b, O).transpose();
        o.noalias() += x * w.transpose();
    } else {
        o.noalias() = x * w.transpose();
    }
}

// The whole layer, tile by tile of row_tile(N) rows; epi(r0, r1) on each tile once written.
template <class T, class Epi = NoEpilogue>
void linear_forward(T* out,                    // (N, O)
                    const T* in,               // (N, I)
                    const T* W, const T* b,    // (O, I), (O) or null
                    int N, int I, int O, const Parallel& par, const Epi& epi = Epi{}, const T* wt = nullptr,
                    std::size_t tile = 0) {  // rows per task: row_tile(N) when 0
    par.for_tiles(N, tile ? tile : row_tile(N), [&](std::size_t r0, std::size_t r1) {
        linear_forward_rows(out, in, W, b, I, O, r0, r1, wt);
        epi(r0, r1);
    });
}

// Where the second half of a weight gradient's rows goes (LinearWeightGrad::part, part_b, split).
template <class T>
struct GradHalf {
    T* w = nullptr;
    T* b = nullptr;
    int split = 0;
};

// A linear layer's weight gradient as tasks that each own their output: the tiles of dW, cut along
// its longer side (output rows when O >= I, input columns otherwise, so that the operand every
// tile reads again is the smaller one), then db as one task (no cross-thread sum). They read
// only dout and in, so they can share a parallel region with any work that leaves those alone.
//
// With `part` set and 0 < split < N, the sum over the N rows is cut in two halves at row `split`
// (a fixed point from the shape: where the first home's row tiles end): the first half's tasks
// add rows [0, split) into dW and db, the second half's write rows [split, N) into part and
// part_b, and the caller adds those into dW and db once both halves are done (Model's
// fold_halves, after backward: every element is (dW + first half) + second half). Tasks
// [0, per_half()) are the first half, the rest the second, so for_each_homed gives each half to
// the thread that wrote its rows (2 threads): on this 2-core machine the weight gradients then
// read no row the other core wrote. The bits are the same at any thread count.
template <class T>
struct LinearWeightGrad {
    T* dW = nullptr;            // (O, I) += dout^T in
    T* db = nullptr;            // (O) += sum of dout's rows, or null
    const T* dout = nullptr;    // (N, O)
    const T* in = nullptr;      // (N, I)
    int N = 0, I = 0, O = 0;
    T* part = nullptr;          // (O, I): the second half's dW, or null (not cut)
    T* part_b = nullptr;        // (O): the second half's db (when db is set)
    int split = 0;              // the row where the halves meet

    bool by_rows() const { return O >= I; }
    bool halves() const { return part && split > 0 && split < N; }
    std::size_t side() const { return by_rows() ? O : I; }
    // At least 48 rows of dW per task, four full 12-row register blocks of gemm.h's kernel, or
    // 64 columns, two full 32-wide panels: up to 256 features (the lesson model's weights, S's
    // and M's output projections) col_tile gives 32, and each task ended in an 8-row block.
    // A tile never changes a bit of dW: each element sums its N terms (or each half's) alone, in order.
    std::size_t tile() const { return std::max<std::size_t>(by_rows() ? 48 : 64, col_tile(side())); }
    std::size_t per_half() const {
        if (!dW) return 0;
        return (side() + tile() - 1) / tile() + (db ? 1 : 0);
    }
    std::size_t tasks() const { return per_half() * (halves() ? 2 : 1); }
    void run(std::size_t t) const {
        const std::size_t h = per_half();
        if (t < h) return run_half(0, t);
        run_half(1, t - h);
    }
    // Task t of half `half` (half 0 is every row when the sum is not cut).
    void run_half(int half, std::size_t t) const {
        const bool cut = halves();
        const int r0 = cut && half ? split : 0, r1 = cut && !half ? split : N, k = r1 - r0;
        const bool set = cut && half;  // the second half writes part from zero
        const std::size_t ct = tile(), n_w = (side() + ct - 1) / ct;
        const T* g0 = dout + static_cast<std::size_t>(r0) * O;
        const T* x0 = in + static_cast<std::size_t>(r0) * I;
        if (t == n_w) {  // db: sum of dout's rows, in order
            T* __restrict acc = set ? part_b : db;
            if (set) std::fill(acc, acc + O, T(0));
            for (int r = 0; r < k; ++r) {
                const T* __restrict row = g0 + static_cast<std::size_t>(r) * O;
                for (int o = 0; o < O; ++o) acc[o] += row[o];
            }
            return;
        }
        T* const w = set ? part : dW;
        const std::size_t a = t * ct, b = std::min<std::size_t>(a + ct, side());
        const int n = static_cast<int>(b - a);
        if constexpr (use_fast_gemm<T>) {  // dout read transposed in place
            if (by_rows()) {
                if (set) gemm_set(n, I, k, g0 + a, 1, O, x0, I, w + a * I, I, nullptr);
                else gemm_acc(n, I, k, g0 + a, 1, O, x0, I, w + a * I, I);
            } else {
                if (set) gemm_set(O, n, k, g0, 1, O, x0 + a, I, w + a, I, nullptr);
                else gemm_acc(O, n, k, g0, 1, O, x0 + a, I, w + a, I);
            }
            return;
        }
        CMapR<T> g(g0, k, O);
        CMapR<T> x(x0, k, I);
        if (by_rows()) {  // rows [a, b) of dW
            auto d = MapR<T>(w + a * I, n, I);
            if (set) d.noalias() = g.middleCols(a, n).transpose() * x;
            else d.noalias() += g.middleCols(a, n).transpose() * x;
        } else {  // columns [a, b) of dW
            auto d = MapR<T>(w, O, I).middleCols(a, n);
            if (set) d.noalias() = g.transpose() * x.middleCols(a, n);
            else d.noalias() += g.transpose() * x.middleCols(a, n);
        }
    }
};

// Rows [r0, r1) of a linear layer's input gradient: din (N, I) += dout W (= with assign).
template <class T>
void linear_input_grad_rows(T* din, const T* dout, const T* W, int I, int O, std::size_t r0, std::size_t r1,
                            bool assign) {
    const int n = static_cast<int>(r1 - r0);
    if constexpr (use_fast_gemm<T>) {
        if (assign) gemm_set(n, I, O, dout + r0 * O, O, 1, W, I, din + r0 * I, I, nullptr);
        else gemm_acc(n, I, O, dout + r0 * O, O, 1, W, I, din + r0 * I, I);
    } else {
        MapR<T> d(din + r0 * I, n, I);
        if (assign) d.noalias() = CMapR<T>(dout + r0 * O, n, O) * CMapR<T>(W, O, I);
        else d.noalias() += CMapR<T>(dout + r0 * O, n, O) * CMapR<T>(W, O, I);
    }
}

// Both gradients in one parallel region: the weight gradient's tasks and the tiles of din's rows
// (row_tile(N)) are independent tasks of the same loop. epi(r0, r1) runs on each tile of din's
// rows once written.
template <class T, class Epi = NoEpilogue>
void linear_backward(T* din,                   // (N, I) += dout W (= with assign), or null
                     T* dW, T* db,             // (O, I) += dout^T in, (O) += sum of rows (db may be null)
                     const T* dout,            // (N, O)
                     const T* in, const T* W,  // (N, I), (O, I)
                     int N, int I, int O, const Parallel& par, bool assign = false, const Epi& epi = Epi{},
                     std::size_t tile = 0,    // rows per task of din: row_tile(N) when 0
                     const GradHalf<T>& half = {}) {
    const LinearWeightGrad<T> wg{dW, db, dout, in, N, I, O, half.w, half.b, half.split};
    const std::size_t rt = tile ? tile : row_tile(N);
    const std::size_t n_w = wg.tasks();
    const std::size_t n_in = din ? (static_cast<std::size_t>(N) + rt - 1) / rt : 0;
    par.for_each_homed(n_in, n_w, [&](std::size_t t) {  // din's rows first: each on its home thread
        if (t >= n_in) return wg.run(t - n_in);
        const std::size_t r0 = t * rt, r1 = std::min<std::size_t>(r0 + rt, N);
        linear_input_grad_rows(din, dout, W, I, O, r0, r1, assign);
        epi(r0, r1);
    });
}

// ---------------------------------------------------------------------------------------------
// Activations, elementwise.

template <class T>
inline T gelu_exact(T x) {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}
template <class T>
inline T gelu_exact_grad(T x) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    const T pdf = std::exp(T(-0.5) * x * x) * T(0.39894228040143267794);
    return cdf + x * pdf;
}

// out[i] = act(in[i]) for i in [a, b).
template <class T>
void activation_range(T* __restrict out, const T* __restrict in, std::size_t a, std::size_t b, Activation act) {
    if (act == Activation::ReLU)
        for (std::size_t i = a; i < b; ++i) out[i] = in[i] > T(0) ? in[i] : T(0);
    else
        for (std::size_t i = a; i < b; ++i) out[i] = gelu_exact(in[i]);
}

// Asks for elements [a, b) of x to be brought into the cache (L2), a line at a time from the line
// holding x[a]; changes no result. A row task of backward reads what the forward wrote long
// before, mostly from memory on the lesson model: asked for first, the lines arrive while the
// task's first product runs.
template <class T>
inline void prefetch_range(const T* x, std::size_t a, std::size_t b) {
    if (a >= b) return;
    std::uintptr_t p = reinterpret_cast<std::uintptr_t>(x + a) & ~std::uintptr_t(63);
    const std::uintptr_t e = reinterpret_cast<std::uintptr_t>(x + b);
    for (; p < e; p += 64) __builtin_prefetch(reinterpret_cast<const void*>(p), 0, 2);
}

// x[i] = ReLU(x[i]) for i in [a, b), in place: the same comparison as activation_range (NaN -> 0).
template <class T>
void relu_inplace_range(T* __restrict x, std::size_t a, std::size_t b) {
    for (std::size_t i = a; i < b; ++i) x[i] = x[i] > T(0) ? x[i] : T(0);
}

// din[i] (+)= dout[i] * act'(in[i]) for i in [a, b); din may not alias dout.
template <class T>
void activation_grad_range(T* __restrict din, const T* __restrict dout, const T* __restrict in, std::size_t a,
                           std::size_t b, Activation act, bool assign) {
    if (act == Activation::ReLU) {
        if (assign)
            for (std::size_t i = a; i < b; ++i) din[i] = in[i] > T(0) ? dout[i] : T(0);
        else
            for (std::size_t i = a; i < b; ++i) din[i] += in[i] > T(0) ? dout[i] : T(0);
    } else {
        if (assign)
            for (std::size_t i = a; i < b; ++i) din[i] = dout[i] * gelu_exact_grad(in[i]);
        else
            for (std::size_t i = a; i < b; ++i) din[i] += dout[i] * gelu_exact_grad(in[i]);
    }
}

template <class T>
void activation_forward(T* out, const T* in, std::size_t n, Activation act, const Parallel& par) {
    par.for_tiles(n, kRowTile * 256, [&](std::size_t a, std::size_t b) { activation_range(out, in, a, b, act); });
}

template <class T>
void activation_backward(T* din, const T* dout, const T* in, std::size_t n, Activation act,
                         const Parallel& par) {
    par.for_tiles(n, kRowTile * 256,
                  [&](std::size_t a, std::size_t b) { activation_grad_range(din, dout, in, a, b, act, false); });
}

// ---------------------------------------------------------------------------------------------
// Multi-head self-attention core, on a packed qkv (N, 3D) with N = B*T and q, k, v in that order.
// ctx[b, t, h*dh:(h+1)*dh] = softmax(q k^T / sqrt(dh) [+ causal mask]) v.
// Caches the attention probabilities att (B, H, T, T) for backward.

// Whether float attention goes through engine/attention_fast.h (AVX-512).
template <class T>
inline constexpr bool use_fast_attention = kHaveFastAttention && std::is_same_v<T, float>;

// One (sequence b, head h) of the forward: P = softmax(q k^T s), ctx = P v.
template <class T>
void attention_forward_head(T* ctx, T* att, const T* qkv, int b, int h, int Tn, int D, int H, bool causal) {
    const int dh = D / H;
    if constexpr (use_fast_attention<T>) {
        if (fast_attention_fits(Tn, dh)) return attention_forward_head_fast(ctx, att, qkv, b, h, Tn, D, H, causal);
        if (gemm_attention_fits(Tn, dh)) return attention_forward_head_gemm(ctx, att, qkv, b, h, Tn, D, H, causal);
    }
    const T scale = T(1) / std::sqrt(T(dh));
    const std::size_t bh = static_cast<std::size_t>(b) * H + h;
    const T* base = qkv + static_cast<std::size_t>(b) * Tn * 3 * D;
    CStridedR<T> q(base + h * dh, Tn, dh, Eigen::OuterStride<>(3 * D));
    CStridedR<T> k(base + D + h * dh, Tn, dh, Eigen::OuterStride<>(3 * D));
    CStridedR<T> v(base + 2 * D + h * dh, Tn, dh, Eigen::OuterStride<>(3 * D));
    MapR<T> P(att + bh * Tn * Tn, Tn, Tn);
    P.noalias() = q * k.transpose();  // scaled below: (q k^T) * s would make a heap temporary
    for (int i = 0; i < Tn; ++i) {
        const int last = causal ? i : Tn - 1;  // keys allowed: 0..last
        T* __restrict row = &P(i, 0);
        T mx = -std::numeric_limits<T>::infinity();
        for (int j = 0; j <= last; ++j) {
            row[j] *= scale;
            mx = std::max(mx, row[j]);
        }
        for (int j = 0; j <= last; ++j) row[j] -= mx;
        exp_inplace(row, last + 1);
        const T sum = lane_sum<T>(last + 1, [&](int j) { return row[j]; });
        const T inv = T(1) / sum;
        for (int j = 0; j <= last; ++j) row[j] *= inv;
        for (int j = last + 1; j < Tn; ++j) row[j] = T(0);
    }
    StridedR<T> o(ctx + static_cast<std::size_t>(b) * Tn * D + h * dh, Tn, dh, Eigen::OuterStride<>(D));
    o.noalias() = P * v;
}

template <class T>
void attention_forward(T* ctx,          // (N, D)
                       T* att,          // (B, H, T, T) cache: probabilities
                       const T* qkv,    // (N, 3D)
                       int B, int Tn, int D, int H, bool causal, const Parallel& par) {
    par.for_each(static_cast<std::size_t>(B) * H, [&](std::size_t bh) {
        attention_forward_head(ctx, att, qkv, static_cast<int>(bh / H), static_cast<int>(bh % H), Tn, D, H, causal);
    });
}

// One (sequence b, head h) of the backward; scratch holds this head's (T, T) dS.
// assign: dqkv's entries of this head are written, not added to.
template <class T>
void attention_backward_head(T* dqkv, T* scratch, const T* dctx, const T* att, const T* qkv, int b, int h, int Tn,
                             int D, int H, bool assign) {
    const int dh = D / H;
    if constexpr (use_fast_attention<T>) {
        if (fast_attention_fits(Tn, dh)) return attention_backward_head_fast(dqkv, dctx, att, qkv, b, h, Tn, D, H, assign);
        if (gemm_attention_fits(Tn, dh))
            return attention_backward_head_gemm(dqkv, scratch, dctx, att, qkv, b, h, Tn, D, H, assign);
    }
    const T scale = T(1) / std::sqrt(T(dh));
    const std::size_t bh = static_cast<std::size_t>(b) * H + h;
    const std::size_t row0 = static_cast<std::size_t>(b) * Tn;
    const T* base = qkv + row0 * 3 * D;
    T* dbase = dqkv + row0 * 3 * D;
    const Eigen::OuterStride<> s3(3 * D);
    CStridedR<T> q(base + h * dh, Tn, dh, s3), k(base + D + h * dh, Tn, dh, s3),
        v(base + 2 * D + h * dh, Tn, dh, s3);
    StridedR<T> dq(dbase + h * dh, Tn, dh, s3), dk(dbase + D + h * dh, Tn, dh, s3),
        dv(dbase + 2 * D + h * dh, Tn, dh, s3);
    CStridedR<T> dO(dctx + row0 * D + h * dh, Tn, dh, Eigen::OuterStride<>(D));
    CMapR<T> P(att + bh * Tn * Tn, Tn, Tn);
    MapR<T> dS(scratch, Tn, Tn);
    if (assign) dv.noalias() = P.transpose() * dO;
    else dv.noalias() += P.transpose() * dO;
    dS.noalias() = dO * v.transpose();  // dP
    // softmax backward: dS = P * (dP - rowsum(dP * P)); masked entries have P = 0.
    for (int i = 0; i < Tn; ++i) {
        T* __restrict ds = &dS(i, 0);
        const T* __restrict p = att + bh * Tn * Tn + static_cast<std::size_t>(i) * Tn;
        T dot = 0;
        for (int j = 0; j < Tn; ++j) dot += ds[j] * p[j];
        for (int j = 0; j < Tn; ++j) ds[j] = p[j] * (ds[j] - dot) * scale;
    }
    if (assign) {
        dq.noalias() = dS * k;
        dk.noalias() = dS.transpose() * q;
    } else {
        dq.noalias() += dS * k;
        dk.noalias() += dS.transpose() * q;
    }
}

template <class T>
void attention_backward(T* dqkv,         // (N, 3D) += gradient
                        T* scratch,      // (B*H, T, T) work space
                        const T* dctx,   // (N, D)
                        const T* att,    // (B, H, T, T)
                        const T* qkv,    // (N, 3D)
                        int B, int Tn, int D, int H, const Parallel& par,
                        bool assign = false) {  // assign: dqkv = gradient (every entry is written)
    par.for_each(static_cast<std::size_t>(B) * H, [&](std::size_t bh) {
        attention_backward_head(dqkv, scratch + bh * Tn * Tn, dctx, att, qkv, static_cast<int>(bh / H),
                                static_cast<int>(bh % H), Tn, D, H, assign);
    });
}

// ---------------------------------------------------------------------------------------------
// Normalizations over the last dimension D of each row (BatchNorm: over the rows, per feature).

// Pointers into the parameter and buffer storage of one norm (null where the kind has none).
template <class T>
struct NormWeights {
    T* gamma = nullptr;         // (D)
    T* beta = nullptr;          // (D)   not for rmsnorm
    T* alpha = nullptr;         // (1)   dyt
    T* running_mean = nullptr;  // (D)   batchnorm buffers
    T* running_var = nullptr;   // (D)
};

// How a forward pass treats BatchNorm (and dropout).
enum class Mode {
    Train,          // batch statistics, running statistics updated, dropout on
    TrainNoUpdate,  // batch statistics, running statistics untouched (probes, gradient checks)
    Eval            // running statistics, dropout off
};

// What backward needs, and nothing more: per row (or per feature for batchnorm) mean and the
// reciprocal of the denominator; layernorm_std also keeps the std itself. DyT keeps nothing:
// tanh is recomputed from the input.
template <class T>
struct NormCache {
    std::vector<T> mean, rstd, stdev;
    bool used_batch_stats = true;  // batchnorm: false in Eval mode
};

inline constexpr double kBatchNormMomentum = 0.1;

// Every kind but BatchNorm normalizes each row on its own: such a norm can run on any set of
// rows, for instance fused into the tile of the product that made them.
inline bool norm_is_rowwise(NormKind kind) { return kind != NormKind::BatchNorm; }

// Sizes the cache for a forward over N rows of D features (allocates only when the shape grows).
template <class T>
void norm_forward_prepare(NormCache<T>& cache, NormKind kind, Mode mode, int N, int D) {
    if (kind == NormKind::BatchNorm) {
        cache.mean.resize(D);
        cache.rstd.resize(D);
        cache.used_batch_stats = mode != Mode::Eval;
    } else if (kind != NormKind::None && kind != NormKind::DyT) {
        cache.mean.resize(N);
        cache.rstd.resize(N);
        if (kind == NormKind::LayerNormStd) cache.stdev.resize(N);
    }
}

// Rows [r0, r1) of a row-wise norm (after norm_forward_prepare).
template <class T>
void norm_forward_rows(T* out, NormCache<T>& cache, const T* in, const NormWeights<T>& w, NormKind kind,
                       double eps, int D, std::size_t r0, std::size_t r1) {
    const T e = static_cast<T>(eps);
    const T* __restrict gamma = w.gamma;
    const T* __restrict beta = w.beta;
    for (std::size_t r = r0; r < r1; ++r) {
        const T* __restrict x = in + r * D;
        T* __restrict y = out + r * D;
        switch (kind) {
        case NormKind::None:
            for (int d = 0; d < D; ++d) y[d] = x[d];
            continue;
        case NormKind::DyT: {
            const T a = w.alpha[0];
            for (int d = 0; d < D; ++d) y[d] = gamma[d] * std::tanh(a * x[d]) + beta[d];
            continue;
        }
        case NormKind::RMSNorm: {
            const T ss = lane_sum<T>(D, [&](int d) { return x[d] * x[d]; });
            const T rs = T(1) / std::sqrt(ss / T(D) + e);
            cache.mean[r] = 0;
            cache.rstd[r] = rs;
            for (int d = 0; d < D; ++d) y[d] = gamma[d] * (x[d] * rs);
            continue;
        }
        default:
            break;
        }
        const T m = lane_sum<T>(D, [&](int d) { return x[d]; }) / T(D);
        const T v = lane_sum<T>(D, [&](int d) { return (x[d] - m) * (x[d] - m); });
        T rs;
        if (kind == NormKind::LayerNorm) {
            rs = T(1) / std::sqrt(v / T(D) + e);
        } else {
            const T sd = D > 1 ? std::sqrt(v / T(D - 1)) : T(0);
            cache.stdev[r] = sd;
            rs = T(1) / (sd + e);
        }
        cache.mean[r] = m;
        cache.rstd[r] = rs;
        for (int d = 0; d < D; ++d) y[d] = gamma[d] * ((x[d] - m) * rs) + beta[d];
    }
}

template <class T>
void norm_forward(T* out,                  // (N, D)
                  NormCache<T>& cache,
                  const T* in,             // (N, D)
                  const NormWeights<T>& w, NormKind kind, double eps, Mode mode,
                  int N, int D, const Parallel& par) {
    const T e = static_cast<T>(eps);
    norm_forward_prepare(cache, kind, mode, N, D);
    if (norm_is_rowwise(kind)) {
        par.for_tiles(N, kRowTile, [&](std::size_t r0, std::size_t r1) {
            norm_forward_rows(out, cache, in, w, kind, eps, D, r0, r1);
        });
        return;
    }
    // BatchNorm: statistics per feature over the rows.
    par.for_tiles(D, kColTile, [&](std::size_t d0, std::size_t d1) {
        for (std::size_t d = d0; d < d1; ++d) {
            T m, rs;
            if (mode == Mode::Eval) {
                m = w.running_mean[d];
                rs = T(1) / std::sqrt(w.running_var[d] + e);
            } else {
                m = 0;
                for (int r = 0; r < N; ++r) m += in[static_cast<std::size_t>(r) * D + d];
                m /= T(N);
                T v = 0;
                for (int r = 0; r < N; ++r) { const T c = in[static_cast<std::size_t>(r) * D + d] - m; v += c * c; }
                const T var_biased = v / T(N);
                rs = T(1) / std::sqrt(var_biased + e);
                if (mode == Mode::Train) {
                    const T mom = static_cast<T>(kBatchNormMomentum);
                    const T var_unbiased = N > 1 ? v / T(N - 1) : var_biased;
                    w.running_mean[d] = (T(1) - mom) * w.running_mean[d] + mom * m;
                    w.running_var[d] = (T(1) - mom) * w.running_var[d] + mom * var_unbiased;
                }
            }
            cache.mean[d] = m;
            cache.rstd[d] = rs;
            for (int r = 0; r < N; ++r) {
                const std::size_t i = static_cast<std::size_t>(r) * D + d;
                out[i] = w.gamma[d] * ((in[i] - m) * rs) + w.beta[d];
            }
        }
    });
}

// rows(r0, r1) over tiles of kRowTile rows and cols(d0, d1) over tiles of kColTile features, as
// tasks of one parallel region (the two parts of a norm's backward are independent).
template <class Rows, class Cols>
void split_rows_cols(int N, int D, const Parallel& par, const Rows& rows, const Cols& cols) {
    const std::size_t nr = (static_cast<std::size_t>(N) + kRowTile - 1) / kRowTile;
    const std::size_t nc = (static_cast<std::size_t>(D) + kColTile - 1) / kColTile;
    par.for_each_homed(nr, nc, [&](std::size_t t) {  // the rows first: each on its home thread
        if (t >= nr) {
            cols((t - nr) * kColTile, std::min<std::size_t>((t - nr + 1) * kColTile, D));
        } else {
            const std::size_t r0 = t * kRowTile;
            rows(r0, std::min<std::size_t>(r0 + kRowTile, N));
        }
    });
}

// Whether a norm's backward is a row part and a feature part with nothing after them (what a
// backward that runs a block's rows end to end needs): the row-wise norms but DyT, whose alpha
// is summed over features once all of them are done.
inline bool norm_backward_splits(NormKind kind) {
    return kind == NormKind::None || kind == NormKind::LayerNorm || kind == NormKind::LayerNormStd ||
           kind == NormKind::RMSNorm;
}

// Rows [r0, r1) of the input gradient of a norm for which norm_backward_splits(kind):
// din (+)= d(norm)/d(in) applied to dout.
template <class T>
void norm_backward_rows(T* din, const T* dout, const NormCache<T>& cache, const T* in, const T* gamma,
                        NormKind kind, int D, std::size_t r0, std::size_t r1, bool assign) {
    if (kind == NormKind::None) {
        T* __restrict dx = din;
        const T* __restrict dy = dout;
        if (assign)
            for (std::size_t i = r0 * D; i < r1 * D; ++i) dx[i] = dy[i];
        else
            for (std::size_t i = r0 * D; i < r1 * D; ++i) dx[i] += dy[i];
        return;
    }
    if (assign) std::fill(din + r0 * D, din + r1 * D, T(0));
    const T* __restrict g = gamma;
    for (std::size_t r = r0; r < r1; ++r) {
        const T* __restrict x = in + r * D;
        const T* __restrict dy = dout + r * D;
        T* __restrict dx = din + r * D;
        const T m = cache.mean[r], rs = cache.rstd[r];
        // sums of dxhat and dxhat * xhat
        const T sum_g = lane_sum<T>(D, [&](int d) { return dy[d] * g[d]; });
        const T sum_gx = lane_sum<T>(D, [&](int d) { return dy[d] * g[d] * (x[d] - m) * rs; });
        if (kind == NormKind::LayerNorm) {
            // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
            const T mg = sum_g / T(D), mgx = sum_gx / T(D);
            for (int d = 0; d < D; ++d) dx[d] += rs * (dy[d] * g[d] - mg - (x[d] - m) * rs * mgx);
        } else if (kind == NormKind::RMSNorm) {
            // dx = rrms * (dxhat - xhat * mean(dxhat * xhat))
            const T mgx = sum_gx / T(D);
            for (int d = 0; d < D; ++d) dx[d] += rs * (dy[d] * g[d] - x[d] * rs * mgx);
        } else {
            // y = g (x - m) / (s + eps), s unbiased std:
            // dx = r (dxhat - mean(dxhat)) - r * sum(dxhat * xhat) * c / ((D-1) s)
            const T sd = cache.stdev[r];
            const T mg = sum_g / T(D);
            const T k = (sd > T(0) && D > 1) ? rs * sum_gx / (T(D - 1) * sd) : T(0);
            for (int d = 0; d < D; ++d) dx[d] += rs * (dy[d] * g[d] - mg) - k * (x[d] - m);
        }
    }
}

// Features [d0, d1) (at most kColTile) of the gain and bias gradients of a norm for which
// norm_backward_splits(kind), summed over all N rows in order in local lanes.
template <class T>
void norm_backward_cols(const NormWeights<T>& dw, const T* dout, const NormCache<T>& cache, const T* in,
                        NormKind kind, int N, int D, std::size_t d0, std::size_t d1) {
    if (kind == NormKind::None) return;
    const bool centred = kind != NormKind::RMSNorm;
    T acc_g[kColTile] = {}, acc_b[kColTile] = {};
    const std::size_t n = d1 - d0;
    for (int r = 0; r < N; ++r) {
        const T m = cache.mean[r], rs = cache.rstd[r];
        const T* __restrict dy = dout + static_cast<std::size_t>(r) * D + d0;
        const T* __restrict x = in + static_cast<std::size_t>(r) * D + d0;
        for (std::size_t j = 0; j < n; ++j) {
            acc_g[j] += dy[j] * (x[j] - m) * rs;
            acc_b[j] += dy[j];
        }
    }
    for (std::size_t j = 0; j < n; ++j) {
        dw.gamma[d0 + j] += acc_g[j];
        if (centred) dw.beta[d0 + j] += acc_b[j];
    }
}

// assign: din = gradient instead of +=. epi(r0, r1) runs on rows of din once they are final
// (inside the row tasks; BatchNorm, which works by features, runs it in a loop of its own).
template <class T, class Epi = NoEpilogue>
void norm_backward(T* din,                      // (N, D) +=
                   const NormWeights<T>& dw,    // gradients of gamma/beta/alpha, +=
                   const T* dout,               // (N, D)
                   const NormCache<T>& cache,
                   const T* in,                 // (N, D) the forward input
                   const NormWeights<T>& w, NormKind kind,
                   int N, int D, T* scratch,    // scratch: at least D values
                   const Parallel& par, bool assign = false, const Epi& epi = Epi{}) {
    const auto clear_rows = [&](std::size_t r0, std::size_t r1) {
        if (assign) std::fill(din + r0 * D, din + r1 * D, T(0));
    };
    switch (kind) {
    case NormKind::None:
        par.for_tiles(N, kRowTile, [&](std::size_t r0, std::size_t r1) {
            norm_backward_rows(din, dout, cache, in, w.gamma, kind, D, r0, r1, assign);
            epi(r0, r1);
        });
        return;
    case NormKind::DyT: {
        // Input gradient by rows and parameter gradients by features (each task owns its
        // features), in one region; then alpha summed over features in a fixed order.
        const T a = w.alpha[0];
        split_rows_cols(N, D, par, [&](std::size_t r0, std::size_t r1) {
            clear_rows(r0, r1);
            for (std::size_t r = r0; r < r1; ++r)
                for (int d = 0; d < D; ++d) {
                    const T t = std::tanh(a * in[r * D + d]);
                    din[r * D + d] += dout[r * D + d] * w.gamma[d] * a * (T(1) - t * t);
                }
            epi(r0, r1);
        }, [&](std::size_t d0, std::size_t d1) {
            for (std::size_t d = d0; d < d1; ++d) {
                T g = 0, bsum = 0, asum = 0;
                for (int r = 0; r < N; ++r) {
                    const std::size_t i = static_cast<std::size_t>(r) * D + d;
                    const T t = std::tanh(a * in[i]);
                    g += dout[i] * t;
                    bsum += dout[i];
                    asum += dout[i] * in[i] * (T(1) - t * t);
                }
                dw.gamma[d] += g;
                dw.beta[d] += bsum;
                scratch[d] = asum * w.gamma[d];
            }
        });
        T as = 0;
        for (int d = 0; d < D; ++d) as += scratch[d];
        dw.alpha[0] += as;
        return;
    }
    case NormKind::LayerNorm:
    case NormKind::LayerNormStd:
    case NormKind::RMSNorm:
        split_rows_cols(N, D, par, [&](std::size_t r0, std::size_t r1) {
            norm_backward_rows(din, dout, cache, in, w.gamma, kind, D, r0, r1, assign);
            epi(r0, r1);
        }, [&](std::size_t d0, std::size_t d1) { norm_backward_cols(dw, dout, cache, in, kind, N, D, d0, d1); });
        return;
    case NormKind::BatchNorm: {
        par.for_tiles(D, kColTile, [&](std::size_t d0, std::size_t d1) {
            if (assign)
                for (int r = 0; r < N; ++r)
                    std::fill(din + static_cast<std::size_t>(r) * D + d0, din + static_cast<std::size_t>(r) * D + d1, T(0));
            for (std::size_t d = d0; d < d1; ++d) {
                const T m = cache.mean[d], rs = cache.rstd[d];
                T sum_dy = 0, sum_dyx = 0;
                for (int r = 0; r < N; ++r) {
                    const std::size_t i = static_cast<std::size_t>(r) * D + d;
                    sum_dy += dout[i];
                    sum_dyx += dout[i] * (in[i] - m) * rs;
                }
                dw.gamma[d] += sum_dyx;
                dw.beta[d] += sum_dy;
                const T g = w.gamma[d];
                if (cache.used_batch_stats) {
                    const T mg = g * sum_dy / T(N), mgx = g * sum_dyx / T(N);
                    for (int r = 0; r < N; ++r) {
                        const std::size_t i = static_cast<std::size_t>(r) * D + d;
                        din[i] += rs * (dout[i] * g - mg - (in[i] - m) * rs * mgx);
                    }
                } else {
                    for (int r = 0; r < N; ++r) {
                        const std::size_t i = static_cast<std::size_t>(r) * D + d;
                        din[i] += dout[i] * g * rs;
                    }
                }
            }
        });
        if constexpr (!std::is_same_v<Epi, NoEpilogue>) par.for_tiles(N, kRowTile, epi);
        return;
    }
    }
}

// Mean and biased variance over D of rows [r0, r1): the probe numbers for one side of a norm.
template <class T>
void row_moments_rows(double* mean, double* var, const T* x, int D, std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
        double m = 0;
        for (int d = 0; d < D; ++d) m += static_cast<double>(x[r * D + d]);
        m /= D;
        double v = 0;
        for (int d = 0; d < D; ++d) { const double c = static_cast<double>(x[r * D + d]) - m; v += c * c; }
        mean[r] = m;
        var[r] = v / D;
    }
}

template <class T>
void row_moments(double* mean, double* var, const T* x, int N, int D, const Parallel& par) {
    par.for_tiles(N, kRowTile, [&](std::size_t r0, std::size_t r1) { row_moments_rows(mean, var, x, D, r0, r1); });
}

// ---------------------------------------------------------------------------------------------
// Embedding: h (N, D) = s * E[ids] + P[t], P (T, D) sinusoidal or learned rows, or null.

template <class T>
void embedding_rows(T* h, const std::int32_t* ids, const T* E, const T* P, T scale, int Tn, int D, std::size_t r0,
                    std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
        const T* e = E + static_cast<std::size_t>(ids[r]) * D;
        const T* p = P ? P + (r % Tn) * D : nullptr;
        for (int d = 0; d < D; ++d) h[r * D + d] = scale * e[d] + (p ? p[d] : T(0));
    }
}

template <class T>
void embedding_forward(T* h, const std::int32_t* ids, const T* E, const T* P, T scale,
                       int B, int Tn, int D, const Parallel& par) {
    par.for_tiles(static_cast<std::size_t>(B) * Tn, kRowTile,
                  [&](std::size_t r0, std::size_t r1) { embedding_rows(h, ids, E, P, scale, Tn, D, r0, r1); });
}

// dE += s * dh at each token's row; dP (learned, may be null) += dh summed over the batch.
// Tasks own feature columns, rows are visited in order: deterministic.
template <class T>
void embedding_backward(T* dE, T* dP, const T* dh, const std::int32_t* ids, T scale,
                        int B, int Tn, int D, const Parallel& par) {
    const int N = B * Tn;
    par.for_tiles(D, kColTile, [&](std::size_t d0, std::size_t d1) {
        for (int r = 0; r < N; ++r) {
            T* e = dE + static_cast<std::size_t>(ids[r]) * D;
            T* p = dP ? dP + static_cast<std::size_t>(r % Tn) * D : nullptr;
            const T* g = dh + static_cast<std::size_t>(r) * D;
            for (std::size_t d = d0; d < d1; ++d) {
                e[d] += scale * g[d];
                if (p) p[d] += g[d];
            }
        }
    });
}

// Sinusoidal table P[p, 2i] = sin(p / 10000^(2i/D)), P[p, 2i+1] = cos(same).
template <class T>
void sinusoidal_table(T* P, int max_len, int D) {
    for (int p = 0; p < max_len; ++p)
        for (int i = 0; 2 * i < D; ++i) {
            const double ang = p / std::pow(10000.0, (2.0 * i) / D);
            P[static_cast<std::size_t>(p) * D + 2 * i] = static_cast<T>(std::sin(ang));
            if (2 * i + 1 < D) P[static_cast<std::size_t>(p) * D + 2 * i + 1] = static_cast<T>(std::cos(ang));
        }
}

// ---------------------------------------------------------------------------------------------
// Mean cross-entropy over rows whose target is not -100.

inline constexpr std::int32_t kIgnoreIndex = -100;

struct LossResult {
    double loss = 0;      // mean over counted rows (0 if none)
    std::int64_t counted = 0;
    std::int64_t correct = 0;  // argmax == target among counted rows
};

template <class T>
LossResult cross_entropy_forward(T* probs,            // (N, V) softmax, cached for backward
                                 double* row_loss,    // (N) scratch
                                 std::uint8_t* hit,   // (N) scratch: 1 correct, 0 wrong, 2 ignored
                                 const T* logits,     // (N, V)
                                 const std::int32_t* targets, int N, int V, const Parallel& par) {
    par.for_tiles(N, kRowTile, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) {
            const T* z = logits + r * V;
            T* p = probs + r * V;
            int arg = 0;
            T mx = z[0];
            for (int v = 1; v < V; ++v) if (z[v] > mx) { mx = z[v]; arg = v; }
            T sum = 0;
            for (int v = 0; v < V; ++v) { p[v] = std::exp(z[v] - mx); sum += p[v]; }
            const T inv = T(1) / sum;
            for (int v = 0; v < V; ++v) p[v] *= inv;
            const std::int32_t y = targets[r];
            if (y == kIgnoreIndex) { row_loss[r] = 0; hit[r] = 2; continue; }
            row_loss[r] = static_cast<double>(std::log(sum) + mx - z[y]);
            hit[r] = arg == y ? 1 : 0;
        }
    });
    LossResult res;
    double total = 0;
    for (int r = 0; r < N; ++r) {
        if (hit[r] == 2) continue;
        total += row_loss[r];
        ++res.counted;
        res.correct += hit[r];
    }
    res.loss = res.counted ? total / static_cast<double>(res.counted) : 0.0;
    return res;
}

// dlogits = (probs - onehot) / counted for counted rows, 0 elsewhere (assigned, not added:
// the loss is where backward starts).
template <class T>
void cross_entropy_backward(T* dlogits, const T* probs, const std::int32_t* targets,
                            std::int64_t counted, int N, int V, const Parallel& par) {
    const T inv = counted ? T(1) / static_cast<T>(counted) : T(0);
    par.for_tiles(N, kRowTile, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) {
            const std::int32_t y = targets[r];
            for (int v = 0; v < V; ++v)
                dlogits[r * V + v] = y == kIgnoreIndex ? T(0) : probs[r * V + v] * inv;
            if (y != kIgnoreIndex) dlogits[r * V + y] -= inv;
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Dropout with a counter-based mask: element i of site s at step k is kept iff
// hash(seed, step, site, i) >= p * 2^64, so the mask needs no storage and no thread order.

inline bool dropout_keep(std::uint64_t seed, std::uint64_t step, std::uint64_t site, std::uint64_t i, double p) {
    const double u = static_cast<double>(hash_keys(seed, step, site, i) >> 11) * 0x1.0p-53;
    return u >= p;
}

// Elements [a, b) of a dropout site (the mask depends on the element index only).
template <class T>
void dropout_range(T* x, std::size_t a, std::size_t b, double p, std::uint64_t seed, std::uint64_t step,
                   std::uint64_t site) {
    if (p <= 0) return;
    const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
    for (std::size_t i = a; i < b; ++i) x[i] = dropout_keep(seed, step, site, i, p) ? x[i] * keep_scale : T(0);
}

template <class T>
void dropout_apply(T* x, std::size_t n, double p, std::uint64_t seed, std::uint64_t step, std::uint64_t site,
                   const Parallel& par) {
    if (p <= 0) return;
    par.for_tiles(n, kRowTile * 256,
                  [&](std::size_t a, std::size_t b) { dropout_range(x, a, b, p, seed, step, site); });
}

}  // namespace ns
