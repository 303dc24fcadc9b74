// The one door to parallelism: an explicit oneTBB task_arena whose size is a setting.
// Work is split into tiles of a fixed size that never depends on the thread count, and every
// tile owns its output, so results are bit-identical whatever the number of threads.
#pragma once

#include <cstddef>
#include <memory>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include "engine/tsan.h"

namespace ns {

// Stack size of the threads that run engine code (TBB's workers here; the window's training
// thread and the command line's main thread have at least as much).
inline constexpr std::size_t kWorkerStackBytes = 16u << 20;

class Parallel {
public:
    explicit Parallel(int threads = 0);  // 0 = every core of the machine
    int threads() const { return threads_; }

    // Runs f() inside the arena, so that nested parallel loops use only its threads.
    template <class F>
    void run(F&& f) const { arena_->execute(std::forward<F>(f)); }

    // body(i) for every tile index i in [0, n). Each index must own its output.
    template <class F>
    void for_each(std::size_t n, const F& body) const {
        if (n == 0) return;
        if (n == 1 || threads_ == 1) {
            for (std::size_t i = 0; i < n; ++i) body(i);
            return;
        }
        // Fork and join, told to ThreadSanitizer (TBB's own synchronisation is invisible to it),
        // also when a task throws (a cancelled step).
        struct Join {
            const void* token;
            ~Join() { tsan_acquire(token); }
        };
        const void* token = &body;
        tsan_release(token);
        const Join join{token};
        arena_->execute([&] {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1),
                              [&](const tbb::blocked_range<std::size_t>& r) {
                                  struct Done {
                                      const void* token;
                                      ~Done() { tsan_release(token); }
                                  };
                                  tsan_acquire(token);
                                  const Done done{token};
                                  for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                              },
                              tbb::simple_partitioner());
        });
    }

    // body(begin, end) over [0, n) cut into tiles of `tile` items (the last one shorter).
    template <class F>
    void for_tiles(std::size_t n, std::size_t tile, const F& body) const {
        const std::size_t tiles = (n + tile - 1) / tile;
        for_each(tiles, [&](std::size_t t) {
            const std::size_t b = t * tile;
            body(b, b + tile < n ? b + tile : n);
        });
    }

    static int hardware_threads();

private:
    int threads_;
    std::unique_ptr<tbb::task_arena> arena_;
};

}  // namespace ns
