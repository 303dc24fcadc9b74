// Finite-difference gradient checking in double precision, shared by the engine suites.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "engine/rng.h"

namespace nstest {

// Fourth-order central differences at h and h/2, combined by Richardson extrapolation: the
// truncation error falls to O(h^6) and double rounding leaves ~1e-12 absolute.
inline constexpr double kStep = 1e-3;
// Relative error |a - n| / max(|a|, |n|, kFloor): the floor keeps gradients that are zero up to
// rounding from dividing by nothing.
inline constexpr double kFloor = 1e-5;
inline constexpr double kTolerance = 1e-6;

struct Worst {
    double rel = 0;          // worst relative error
    std::string where;       // which tensor and element
    double analytic = 0, numeric = 0;
    std::size_t checked = 0;

    void consider(double a, double n, const std::string& w) {
        ++checked;
        const double rel_err = std::abs(a - n) / std::max({std::abs(a), std::abs(n), kFloor});
        if (rel_err > rel || where.empty()) {
            rel = rel_err;
            where = w;
            analytic = a;
            numeric = n;
        }
    }
    std::string describe() const {
        char buf[512];
        std::snprintf(buf, sizeof buf, "worst relative error %.3e at %s: analytic %.12g, numeric %.12g (%zu elements checked)",
                      rel, where.c_str(), analytic, numeric, checked);
        return buf;
    }
};

inline double five_point(double& x, double h, const std::function<double()>& f) {
    const double x0 = x;
    x = x0 + h;       const double f1 = f();
    x = x0 - h;       const double fm1 = f();
    x = x0 + 2 * h;   const double f2 = f();
    x = x0 - 2 * h;   const double fm2 = f();
    x = x0;
    return (8.0 * (f1 - fm1) - (f2 - fm2)) / (12.0 * h);
}

inline double central_difference(double& x, const std::function<double()>& f) {
    const double d1 = five_point(x, kStep, f);
    const double d2 = five_point(x, kStep / 2, f);
    return (16.0 * d2 - d1) / 15.0;
}

inline std::vector<double> random_vector(std::size_t n, std::uint64_t seed, double scale = 1.0) {
    ns::Rng rng(seed);
    std::vector<double> v(n);
    for (auto& x : v) x = rng.normal() * scale;
    return v;
}

// Checks one op: forward(out) computes the op's output from `inputs`; backward(dout, grads)
// adds the gradient of sum(dout * out) into grads (same shapes as inputs, zeroed here).
// The scalar checked is L = sum(w * out) with fixed random weights w.
inline Worst check_op(const std::vector<std::vector<double>*>& inputs, const std::vector<std::string>& names,
                      const std::function<void(std::vector<double>&)>& forward,
                      const std::function<void(const std::vector<double>&, std::vector<std::vector<double>>&)>& backward) {
    std::vector<double> out;
    forward(out);
    const std::vector<double> w = random_vector(out.size(), 99);
    auto loss = [&]() {
        forward(out);
        double s = 0;
        for (std::size_t i = 0; i < out.size(); ++i) s += w[i] * out[i];
        return s;
    };
    std::vector<std::vector<double>> grads;
    for (auto* in : inputs) grads.emplace_back(in->size(), 0.0);
    forward(out);  // caches at the base point
    backward(w, grads);
    Worst worst;
    for (std::size_t k = 0; k < inputs.size(); ++k)
        for (std::size_t i = 0; i < inputs[k]->size(); ++i) {
            const double num = central_difference((*inputs[k])[i], loss);
            worst.consider(grads[k][i], num, names[k] + "[" + std::to_string(i) + "]");
        }
    return worst;
}

}  // namespace nstest
