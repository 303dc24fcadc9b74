#include "engine/optimizer.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels.h"

namespace ns {

double schedule_lr(const TrainConfig& t, long step) {
    const double base = t.lr;
    const long W = t.warmup;
    if (W > 0 && step <= W) return base * static_cast<double>(step) / static_cast<double>(W);
    const double floor_lr = base * t.min_lr_ratio;
    const double span = std::max<long>(1, t.steps - W);
    const double progress = std::clamp(static_cast<double>(step - W) / span, 0.0, 1.0);
    switch (t.schedule) {
    case Schedule::Constant:
        return base;
    case Schedule::Linear:
        return floor_lr + (base - floor_lr) * (1.0 - progress);
    case Schedule::Cosine:
        return floor_lr + (base - floor_lr) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
    case Schedule::InverseSqrt:
        // Noam: peak lr at the end of warmup, then proportional to 1/sqrt(step).
        return base * std::sqrt(static_cast<double>(std::max<long>(W, 1)) / static_cast<double>(std::max<long>(step, 1)));
    }
    return base;
}

template <class T>
OptimizerState<T>::OptimizerState(const TrainConfig& t, std::size_t n) : cfg_(t) {
    m_.assign(n, T(0));
    if (t.optimizer != Optimizer::SGD) v_.assign(n, T(0));
}

template <class T>
void OptimizerState<T>::reset() {
    std::fill(m_.begin(), m_.end(), T(0));
    std::fill(v_.begin(), v_.end(), T(0));
}

template <class T>
void OptimizerState<T>::update(T* p, const T* g, std::size_t n, double lr_d, long step, const Parallel* par) {
    if (par && par->threads() > 1) {
        constexpr std::size_t kChunk = std::size_t(1) << 14;  // lesson: 19 tiles for two threads to share
        par->for_tiles(n, kChunk, [&](std::size_t b, std::size_t e) { update_range(p, g, b, e, lr_d, step); });
    } else {
        update_range(p, g, 0, n, lr_d, step);
    }
}

template <class T>
void OptimizerState<T>::update_range(T* p, const T* g, std::size_t begin, std::size_t n, double lr_d, long step) {
    const T lr = static_cast<T>(lr_d), wd = static_cast<T>(cfg_.weight_decay);
    // Local restrict pointers: the loops vectorize (the state never aliases the parameters).
    T* __restrict pp = p;
    const T* __restrict gg = g;
    T* __restrict m = m_.data();
    if (cfg_.optimizer == Optimizer::SGD) {
        const T mu = static_cast<T>(cfg_.momentum);
        for (std::size_t i = begin; i < n; ++i) {
            const T d = gg[i] + wd * pp[i];
            m[i] = step == 1 ? d : mu * m[i] + d;
            pp[i] -= lr * m[i];
        }
        return;
    }
    T* __restrict v = v_.data();
    const T b1 = static_cast<T>(cfg_.beta1), b2 = static_cast<T>(cfg_.beta2), eps = static_cast<T>(cfg_.adam_eps);
    const double bc1 = 1.0 - std::pow(cfg_.beta1, static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(cfg_.beta2, static_cast<double>(step));
    const T step_size = static_cast<T>(lr_d / bc1);
    const T bc2_sqrt = static_cast<T>(std::sqrt(bc2));
    const auto moments = [&](std::size_t i, T gi) {
        m[i] = b1 * m[i] + (T(1) - b1) * gi;
        v[i] = b2 * v[i] + (T(1) - b2) * gi * gi;
        const T denom = std::sqrt(v[i]) / bc2_sqrt + eps;
        pp[i] -= step_size * m[i] / denom;
    };
    if (cfg_.optimizer == Optimizer::AdamW) {
        const T keep = T(1) - lr * wd;
        for (std::size_t i = begin; i < n; ++i) {
            pp[i] *= keep;
            moments(i, gg[i]);
        }
    } else {
        for (std::size_t i = begin; i < n; ++i) moments(i, gg[i] + wd * pp[i]);
    }
}

template <class T>
double clip_global_norm(T* grads, std::size_t n, double norm, double max_norm, const Parallel& par) {
    if (max_norm <= 0 || !(norm > max_norm)) return 1.0;
    const double factor = max_norm / (norm + 1e-6);
    const T f = static_cast<T>(factor);
    par.for_tiles(n, kSumTile, [&](std::size_t a, std::size_t b) {
        for (std::size_t i = a; i < b; ++i) grads[i] *= f;
    });
    return factor;
}

template <class T>
double l2_norm(const T* x, std::size_t n, double* partials, const Parallel& par) {
    return std::sqrt(sum_squares(x, n, partials, par));
}

template class OptimizerState<float>;
template class OptimizerState<double>;
template double clip_global_norm(float*, std::size_t, double, double, const Parallel&);
template double clip_global_norm(double*, std::size_t, double, double, const Parallel&);
template double l2_norm(const float*, std::size_t, double*, const Parallel&);
template double l2_norm(const double*, std::size_t, double*, const Parallel&);

}  // namespace ns
