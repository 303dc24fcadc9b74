#include "engine/parallel.h"

#include <tbb/global_control.h>

#include <thread>

namespace ns {

int Parallel::hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

namespace {

// Eigen's products keep their packing blocks on the stack (EIGEN_STACK_ALLOCATION_LIMIT, up to
// 2 MiB; see engine/CMakeLists.txt) so that a training step allocates nothing: TBB's worker
// threads get stacks with room for that.
void ensure_worker_stacks() {
    static tbb::global_control stacks(tbb::global_control::thread_stack_size, kWorkerStackBytes);
}

}  // namespace

Parallel::Parallel(int threads)
    : threads_(threads > 0 ? threads : hardware_threads()) {
    ensure_worker_stacks();
    arena_ = std::make_unique<tbb::task_arena>(threads_);
}

}  // namespace ns
