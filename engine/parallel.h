// The one door to parallelism: an explicit oneTBB task_arena whose size is a setting.
// Work is split into tiles of a fixed size that never depends on the thread count, and every
// tile owns its output, so results are bit-identical whatever the number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

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
    void for_each(std::size_t n, const F& body) const { for_each_homed(n, 0, body); }

    // body(i) for every i in [0, na + nb): two groups of tasks, [0, na) (tiles of rows) and
    // [na, na + nb) (say, weight gradients over all rows). Each thread has a home: the thread in
    // arena slot k of P owns items [k n / P, (k + 1) n / P) of each group, runs them in order
    // (its share of the first group, then of the second) and, once done, takes what is left of
    // the others' homes from their far end. So the loops that put their tiles of rows first give
    // tile t to the same slot region after region, forward and backward, and (with two threads,
    // where the caller holds slot 0 and the one worker slot 1) to the same core, which reads what
    // it wrote from its own caches: on this 2-core machine a line written by the other core costs
    // 2-3x a local one, more than memory (see docs/speed-log.md). Which thread runs a
    // task never changes a bit of the result.
    template <class F>
    void for_each_homed(std::size_t na, std::size_t nb, const F& body) const {
        const std::size_t n = na + nb;
        if (n == 0) return;
        if (n == 1 || threads_ == 1) {
            for (std::size_t i = 0; i < n; ++i) body(i);
            return;
        }
        if (n > 0xFFFFFFFFu) throw std::length_error("Parallel::for_each_homed: more than 2^32 - 1 tasks");
        const int P = static_cast<int>(std::min<std::size_t>({static_cast<std::size_t>(threads_), n, kMaxHomes}));
        Homes homes(na, nb, P);
        // A task that throws (a cancelled step), or the cancellation of an enclosing loop, makes
        // the others stop taking tasks soon (each thread finishes the task it is in).
        const auto stop = [&] {
            return homes.failed.load(std::memory_order_relaxed) || tbb::is_current_task_group_canceling();
        };
        // Fork and join are told to ThreadSanitizer (TBB's own synchronisation is invisible to
        // it), also when a task throws, through a token of this loop (the address of `homes`):
        // the caller releases it before the loop and acquires it after, each task acquires it
        // first and releases it last. A task finds the token, its range and the next closure in
        // what the caller and TBB wrote before the fork, so it reads them unchecked (nothing TSan
        // can see orders those reads yet), then acquires.
        struct Done {
            const void* token;
            ~Done() {
                tsan_release(token);
                tsan_task_end();
            }
        };
        const void* const token = &homes;
        const auto work = [&] {
            const int k = std::clamp(tbb::this_task_arena::current_thread_index(), 0, P - 1);
            try {
                for (std::size_t i; !stop() && (i = homes.take(k, true)) != Homes::kNone;) body(i);
                for (int d = 1; d < P; ++d)
                    for (std::size_t i; !stop() && (i = homes.take((k + d) % P, false)) != Homes::kNone;) body(i);
            } catch (...) {
                homes.failed.store(true);
                throw;
            }
        };
        const auto leaves = [&](const tbb::blocked_range<int>& r) {
            tsan_task_begin();
            tsan_ignore_reads_begin();
            const void* const t = token;
            const auto* const w = &work;
            const int b = r.begin(), e = r.end();
            tsan_ignore_reads_end();
            tsan_acquire(t);
            const Done done{t};
            for (int i = b; i != e; ++i) (*w)();
        };
        const auto region = [&] {  // on the caller, or on a worker when the caller cannot join the arena
            tsan_task_begin();
            tsan_ignore_reads_begin();
            const void* const t = token;
            const auto* const l = &leaves;
            const int p = P;
            tsan_ignore_reads_end();
            tsan_acquire(t);
            struct Back {  // to TBB, also when a task threw
                ~Back() { tsan_task_end(); }
            } back;
            tbb::parallel_for(tbb::blocked_range<int>(0, p, 1), *l, tbb::simple_partitioner());
        };
        struct Join {
            const void* token;
            ~Join() {
                tsan_task_begin();  // our code again
                tsan_acquire(token);
            }
        };
        tsan_release(token);
        const Join join{token};
        arena_->execute(region);
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
    static constexpr std::size_t kMaxHomes = 64;
    // Each thread's home as a queue [front, back) over its share of both groups, in one atomic
    // word: its owner takes from the front, the others from the back.
    struct Homes {
        static constexpr std::size_t kNone = ~std::size_t(0);
        struct alignas(64) Queue {
            std::atomic<std::uint64_t> fb{0};  // front in the low 32 bits, back in the high 32
            std::uint32_t a0 = 0, a_len = 0, b0 = 0;
        };
        Queue q[kMaxHomes];
        std::atomic<bool> failed{false};
        Homes(std::size_t na, std::size_t nb, int P) {
            for (int k = 0; k < P; ++k) {
                const std::size_t a0 = na * k / P, a1 = na * (k + 1) / P;
                const std::size_t b0 = nb * k / P, b1 = nb * (k + 1) / P;
                q[k].a0 = static_cast<std::uint32_t>(a0);
                q[k].a_len = static_cast<std::uint32_t>(a1 - a0);
                q[k].b0 = static_cast<std::uint32_t>(na + b0);
                q[k].fb.store(static_cast<std::uint64_t>(a1 - a0 + b1 - b0) << 32, std::memory_order_relaxed);
            }
        }
        // The next task of queue k: from its front (its owner) or its back (another thread).
        std::size_t take(int k, bool front) {
            Queue& h = q[k];
            std::uint64_t s = h.fb.load(std::memory_order_relaxed);
            for (;;) {
                const std::uint32_t f = static_cast<std::uint32_t>(s), b = static_cast<std::uint32_t>(s >> 32);
                if (f >= b) return kNone;
                const std::uint64_t next = front ? s + 1 : (static_cast<std::uint64_t>(b - 1) << 32) | f;
                if (h.fb.compare_exchange_weak(s, next, std::memory_order_relaxed)) {
                    const std::uint32_t v = front ? f : b - 1;
                    return v < h.a_len ? h.a0 + v : h.b0 + (v - h.a_len);
                }
            }
        }
    };

    int threads_;
    std::unique_ptr<tbb::task_arena> arena_;
};

}  // namespace ns
