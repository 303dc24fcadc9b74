// Optimizers (one flat loop over the parameter buffer), learning-rate schedules and clipping.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/config.h"
#include "engine/parallel.h"

namespace ns {

// The learning rate applied at step s (1 = the first update).
double schedule_lr(const TrainConfig& t, long step);

// SGD with momentum (L2 weight decay added to the gradient, as torch.optim.SGD), Adam (L2, as
// torch.optim.Adam) and AdamW (decoupled decay, as torch.optim.AdamW).
template <class T>
class OptimizerState {
public:
    OptimizerState(const TrainConfig& t, std::size_t n);
    // One update of params with grads at learning rate lr; `step` counts from 1. With `par`,
    // elementwise over fixed chunks on its threads (the same numbers for any thread count).
    void update(T* params, const T* grads, std::size_t n, double lr, long step, const Parallel* par = nullptr);
    void reset();

private:
    void update_range(T* params, const T* grads, std::size_t begin, std::size_t end, double lr, long step);
    TrainConfig cfg_;
    std::vector<T> m_, v_;  // SGD: m_ is the momentum buffer
};

// Scales grads so that their global L2 norm is at most max_norm (torch.nn.utils.clip_grad_norm_:
// factor max_norm / (norm + 1e-6) when norm exceeds max_norm), in parallel tiles. Returns the
// factor applied.
template <class T>
double clip_global_norm(T* grads, std::size_t n, double norm, double max_norm, const Parallel& par);

// Global L2 norm: the squares summed in double over fixed tiles of kSumTile elements, in
// parallel, then the tiles' sums in order (kernels.h's sum_squares), so that the result never
// depends on the thread count. partials: room for sum_squares_partials(n) sums (kernels.h).
template <class T>
double l2_norm(const T* x, std::size_t n, double* partials, const Parallel& par);

}  // namespace ns
