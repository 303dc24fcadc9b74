// Plain references of the engine's kernels (engine/kernels.h): the textbook loops, one thread,
// no tiles, no Eigen, written straight from SPEC section 1 (the norms' backward from the chain
// rule through mean and variance, not from the fused form). They are slow and only used by
// tst_engine_kernels, which checks that each fast kernel agrees with its reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/config.h"
#include "engine/kernels.h"

namespace ns::reference {

template <class T>
void linear_forward_reference(T* out, const T* in, const T* W, const T* b, int N, int I, int O) {
    for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) {
            T s = b ? b[o] : T(0);
            for (int i = 0; i < I; ++i) s += in[n * I + i] * W[o * I + i];
            out[n * O + o] = s;
        }
}

template <class T>
void linear_backward_reference(T* din, T* dW, T* db, const T* dout, const T* in, const T* W, int N, int I, int O) {
    for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) {
            const T g = dout[n * O + o];
            if (db) db[o] += g;
            for (int i = 0; i < I; ++i) {
                dW[o * I + i] += g * in[n * I + i];
                if (din) din[n * I + i] += g * W[o * I + i];
            }
        }
}

// Scaled dot-product attention head by head, the softmax written out; att (B, H, T, T).
template <class T>
void attention_forward_reference(T* ctx, T* att, const T* qkv, int B, int Tn, int D, int H, bool causal) {
    const int dh = D / H;
    const T scale = T(1) / std::sqrt(T(dh));
    auto q = [&](int b, int t, int h, int e) { return qkv[(b * Tn + t) * 3 * D + h * dh + e]; };
    auto k = [&](int b, int t, int h, int e) { return qkv[(b * Tn + t) * 3 * D + D + h * dh + e]; };
    auto v = [&](int b, int t, int h, int e) { return qkv[(b * Tn + t) * 3 * D + 2 * D + h * dh + e]; };
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h)
            for (int i = 0; i < Tn; ++i) {
                T* p = att + ((b * H + h) * Tn + i) * Tn;
                T mx = -std::numeric_limits<T>::infinity();
                for (int j = 0; j < Tn; ++j) {
                    T s = 0;
                    for (int e = 0; e < dh; ++e) s += q(b, i, h, e) * k(b, j, h, e);
                    p[j] = (causal && j > i) ? -std::numeric_limits<T>::infinity() : s * scale;
                    mx = std::max(mx, p[j]);
                }
                T sum = 0;
                for (int j = 0; j < Tn; ++j) sum += (p[j] = std::exp(p[j] - mx));
                for (int j = 0; j < Tn; ++j) p[j] /= sum;
                for (int e = 0; e < dh; ++e) {
                    T s = 0;
                    for (int j = 0; j < Tn; ++j) s += p[j] * v(b, j, h, e);
                    ctx[(b * Tn + i) * D + h * dh + e] = s;
                }
            }
}

// Backward through ctx = softmax(S) V, S = q k^T * scale, with the softmax Jacobian written
// element by element: dS_ij = sum_k dP_ik * P_ik * (delta_jk - P_ij).
template <class T>
void attention_backward_reference(T* dqkv, const T* dctx, const T* att, const T* qkv, int B, int Tn, int D, int H) {
    const int dh = D / H;
    const T scale = T(1) / std::sqrt(T(dh));
    auto at = [&](const T* base, int b, int t, int part, int h, int e) -> std::size_t {
        (void)base;
        return static_cast<std::size_t>((b * Tn + t) * 3 * D + part * D + h * dh + e);
    };
    std::vector<T> dP(Tn), dS(Tn);
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h)
            for (int i = 0; i < Tn; ++i) {
                const T* p = att + ((b * H + h) * Tn + i) * Tn;
                for (int j = 0; j < Tn; ++j) {
                    T s = 0;
                    for (int e = 0; e < dh; ++e) s += dctx[(b * Tn + i) * D + h * dh + e] * qkv[at(qkv, b, j, 2, h, e)];
                    dP[j] = s;
                    for (int e = 0; e < dh; ++e)
                        dqkv[at(qkv, b, j, 2, h, e)] += p[j] * dctx[(b * Tn + i) * D + h * dh + e];
                }
                for (int j = 0; j < Tn; ++j) {
                    T s = 0;
                    for (int kk = 0; kk < Tn; ++kk) s += dP[kk] * p[kk] * ((j == kk ? T(1) : T(0)) - p[j]);
                    dS[j] = s * scale;
                }
                for (int j = 0; j < Tn; ++j)
                    for (int e = 0; e < dh; ++e) {
                        dqkv[at(qkv, b, i, 0, h, e)] += dS[j] * qkv[at(qkv, b, j, 1, h, e)];
                        dqkv[at(qkv, b, j, 1, h, e)] += dS[j] * qkv[at(qkv, b, i, 0, h, e)];
                    }
            }
}

// LayerNorm (biased variance) and RMSNorm over each row, forward.
template <class T>
void row_norm_forward_reference(T* out, const T* in, const T* gamma, const T* beta, NormKind kind, T eps, int N, int D) {
    for (int n = 0; n < N; ++n) {
        const T* x = in + n * D;
        T mean = 0, sq = 0;
        for (int d = 0; d < D; ++d) mean += x[d] / T(D);
        for (int d = 0; d < D; ++d) sq += (kind == NormKind::RMSNorm ? x[d] * x[d] : (x[d] - mean) * (x[d] - mean)) / T(D);
        const T c = kind == NormKind::RMSNorm ? T(0) : mean;
        for (int d = 0; d < D; ++d)
            out[n * D + d] = gamma[d] * (x[d] - c) / std::sqrt(sq + eps) + (beta ? beta[d] : T(0));
    }
}

// Backward by the chain rule through the statistics: y = g * (x - m) * r + b, r = (v + eps)^-1/2,
// dL/dx_k = sum_d dL/dy_d * g_d * d[(x_d - m) r]/dx_k, the Jacobian formed entry by entry.
template <class T>
void row_norm_backward_reference(T* din, T* dgamma, T* dbeta, const T* dout, const T* in, const T* gamma,
                                 NormKind kind, T eps, int N, int D) {
    const bool centred = kind != NormKind::RMSNorm;
    for (int n = 0; n < N; ++n) {
        const T* x = in + n * D;
        const T* dy = dout + n * D;
        T mean = 0, v = 0;
        if (centred)
            for (int d = 0; d < D; ++d) mean += x[d] / T(D);
        for (int d = 0; d < D; ++d) v += (x[d] - mean) * (x[d] - mean) / T(D);
        const T r = T(1) / std::sqrt(v + eps);
        for (int d = 0; d < D; ++d) {
            dgamma[d] += dy[d] * (x[d] - mean) * r;
            if (dbeta && centred) dbeta[d] += dy[d];
        }
        for (int k = 0; k < D; ++k) {
            T s = 0;
            for (int d = 0; d < D; ++d) {
                const T dxd_dxk = (d == k ? T(1) : T(0)) - (centred ? T(1) / T(D) : T(0));
                // dv/dx_k = 2 (x_k - m) / D (the mean's own term sums to zero)
                const T dv_dxk = T(2) * (x[k] - mean) / T(D);
                const T dr_dxk = T(-0.5) * r * r * r * dv_dxk;
                s += dy[d] * gamma[d] * (dxd_dxk * r + (x[d] - mean) * dr_dxk);
            }
            din[n * D + k] += s;
        }
    }
}

// Mean cross-entropy over rows whose target is not ignored, and its gradient.
template <class T>
double cross_entropy_reference(T* dlogits, const T* logits, const std::int32_t* targets, int N, int V) {
    int counted = 0;
    for (int n = 0; n < N; ++n) counted += targets[n] != kIgnoreIndex;
    double total = 0;
    for (int n = 0; n < N; ++n) {
        const T* z = logits + n * V;
        T sum = 0;
        for (int v = 0; v < V; ++v) sum += std::exp(z[v]);
        for (int v = 0; v < V; ++v) {
            const T p = std::exp(z[v]) / sum;
            dlogits[n * V + v] = targets[n] == kIgnoreIndex ? T(0) : (p - (v == targets[n] ? T(1) : T(0))) / T(counted);
        }
        if (targets[n] != kIgnoreIndex) total += std::log(static_cast<double>(sum)) - z[targets[n]];
    }
    return counted ? total / counted : 0.0;
}

}  // namespace ns::reference
