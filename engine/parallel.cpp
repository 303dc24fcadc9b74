#include "engine/parallel.h"

#include <thread>

namespace ns {

int Parallel::hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

Parallel::Parallel(int threads)
    : threads_(threads > 0 ? threads : hardware_threads()),
      arena_(std::make_unique<tbb::task_arena>(threads_)) {}

}  // namespace ns
