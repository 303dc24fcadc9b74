// normscope-bench: training-step speed of the engine on the lesson model and configs S and M,
// Post-LN and Pre-LN, 1 and 2 threads, against a large single-precision GEMM measured in the
// same run as the machine's practical peak. Run by hand, never by ctest.
//
//   build/bin/normscope-bench [--steps N] [--warmup N] [--config lesson,S,M] [--threads 1,2] [--no-sgemm] [--phases]
//
// --no-sgemm skips the SGEMM peak (for a profile of the training steps alone); --phases adds the
// median forward (with the gradients' zeroing), backward and Adam times of each row.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include <Eigen/Core>

#include "engine/gemm.h"
#include "engine/model.h"
#include "engine/optimizer.h"
#include "engine/tasks.h"

// ---- heap accounting: current and peak bytes, for the peak memory of each config ----------
namespace {
std::atomic<std::size_t> g_current{0}, g_peak{0};
void note_alloc(std::size_t n) {
    const std::size_t now = g_current.fetch_add(n) + n;
    std::size_t p = g_peak.load();
    while (now > p && !g_peak.compare_exchange_weak(p, now)) {}
}
}  // namespace

void* operator new(std::size_t n) {
    void* p = std::malloc(n + 16);
    if (!p) throw std::bad_alloc();
    *static_cast<std::size_t*>(p) = n;
    note_alloc(n);
    return static_cast<char*>(p) + 16;
}
void operator delete(void* p) noexcept {
    if (!p) return;
    char* base = static_cast<char*>(p) - 16;
    g_current.fetch_sub(*reinterpret_cast<std::size_t*>(base));
    std::free(base);
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
    std::string name;
    int L, D, H, F, T, B, V;
};

const std::vector<Config> kConfigs = {
    {"lesson", 6, 64, 4, 256, 16, 32, 32},
    {"S", 6, 128, 4, 512, 32, 32, 32},
    {"M", 12, 256, 8, 1024, 64, 32, 64},
};

// Matrix-multiply FLOPs of one training step: forward, and backward at twice the forward.
double step_flops(const Config& c) {
    const double N = double(c.B) * c.T;
    const double per_layer = 2 * N * c.D * 3 * c.D      // q, k, v projection
                             + 2 * 2 * N * c.T * c.D    // scores and weighted values
                             + 2 * N * c.D * c.D        // output projection
                             + 2 * 2 * N * c.D * c.F;   // FFN
    const double forward = c.L * per_layer + 2 * N * c.D * c.V;
    return 3 * forward;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The machine's large-SGEMM peak: one untiled 1536^3 product per thread, all threads at once
// (each packs its operands once: the best Eigen does here), aggregate GFLOP/s.
// own: NormScope's gemm_acc (AVX-512) instead of Eigen's product.
double gemm_gflops(int threads, int reps, bool own) {
    const int n = 1536;
    using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    std::vector<M> a(threads, M::Constant(n, n, 0.5f)), b(threads, M::Constant(n, n, 0.25f)), c(threads, M(n, n));
    ns::Parallel par(threads);
    std::vector<double> times;
    for (int r = 0; r < reps + 1; ++r) {
        const auto t0 = Clock::now();
        par.for_each(threads, [&](std::size_t t) {
            if constexpr (ns::kHaveFastGemm) {  // gemm_acc exists on AVX-512 builds only
                if (own) {
                    c[t].setZero();
                    ns::gemm_acc(n, n, n, a[t].data(), n, 1, b[t].data(), n, c[t].data(), n);
                    return;
                }
            }
            c[t].noalias() = a[t] * b[t];
        });
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (r > 0) times.push_back(s);
    }
    return 2.0 * n * n * n * threads / median(times) / 1e9;
}

struct Row {
    std::string config, placement;
    int threads;
    double ms, tokens_per_s, gflops, peak_mib;
    double forward_ms, backward_ms, adam_ms;  // medians of each phase (forward includes zeroing the gradients)
};

Row bench(const Config& c, ns::NormPlacement placement, int threads, int steps, int warmup) {
    ns::ModelConfig m;
    m.layers = c.L;
    m.d_model = c.D;
    m.heads = c.H;
    m.d_ff = c.F;
    m.vocab = c.V;
    m.max_len = c.T;
    m.placement = placement;
    ns::TrainConfig t;
    t.seq_len = c.T;
    t.batch = c.B;
    t.lr = 1e-3;
    t.beta2 = 0.98;
    const std::size_t base = g_current.load();
    g_peak = base;
    std::vector<double> times, fwd, bwd, adam;
    {
        ns::Parallel par(threads);
        auto data = ns::TaskData::create(m, t, "");
        ns::Model<float> model(m, par);
        model.init(0);
        ns::OptimizerState<float> opt(t, model.num_params());
        const ns::Batch b = data->train_batch(0);
        ns::ForwardOptions fo;
        fo.mode = ns::Mode::Train;
        for (int s = 1; s <= warmup + steps; ++s) {
            const auto t0 = Clock::now();
            model.zero_grad();
            model.forward(b.ids.data(), b.targets.data(), c.B, c.T, fo);
            const auto t1 = Clock::now();
            model.backward();
            const auto t2 = Clock::now();
            opt.update(model.params().data(), model.grads().data(), model.num_params(), 1e-3, s, &par);
            const auto t3 = Clock::now();
            if (s > warmup) {
                times.push_back(std::chrono::duration<double>(t3 - t0).count());
                fwd.push_back(std::chrono::duration<double>(t1 - t0).count());
                bwd.push_back(std::chrono::duration<double>(t2 - t1).count());
                adam.push_back(std::chrono::duration<double>(t3 - t2).count());
            }
        }
    }
    const double med = median(times);
    Row r;
    r.config = c.name;
    r.placement = placement == ns::NormPlacement::Post ? "post" : "pre";
    r.threads = threads;
    r.ms = med * 1e3;
    r.tokens_per_s = double(c.B) * c.T / med;
    r.gflops = step_flops(c) / med / 1e9;
    r.peak_mib = double(g_peak.load() - base) / (1024.0 * 1024.0);
    r.forward_ms = median(fwd) * 1e3;
    r.backward_ms = median(bwd) * 1e3;
    r.adam_ms = median(adam) * 1e3;
    return r;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    return out;
}

// How far apart the first two CPUs are: a 2 MiB buffer written by a thread on one CPU, then read
// (a line at a time) by a thread on the other, against read on the same CPU; best of 20. On this
// virtual machine the ratio moves between about 1x (the two CPUs share a cache) and 2.5x within
// minutes, and the lesson model's 2-thread step with it (docs/speed-log.md): printed before and
// after the table so that each run says which it had. False when the CPUs cannot be pinned.
bool cross_core_us(double& local_us, double& remote_us) {
    const std::size_t n = (2u << 20) / sizeof(float);
    std::vector<float> buf(n);
    volatile float sink = 0;
    bool pinned = true;
    const auto pin = [&](int cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) pinned = false;
    };
    const auto best = [&](int writer, int reader) {
        double b = 1e30;
        for (int rep = 0; rep < 20; ++rep) {
            std::thread([&] {
                pin(writer);
                for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<float>(i) * 0.5f + static_cast<float>(rep);
            }).join();
            std::thread([&] {
                pin(reader);
                const auto t0 = Clock::now();
                float acc = 0;
                for (std::size_t i = 0; i < n; i += 16) acc += buf[i];
                b = std::min(b, std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
                sink = sink + acc;
            }).join();
        }
        return b;
    };
    local_us = 0.5 * (best(0, 0) + best(1, 1));
    remote_us = 0.5 * (best(0, 1) + best(1, 0));
    return pinned;
}

void print_cores(const char* when) {
    if (std::thread::hardware_concurrency() < 2) return;
    double local = 0, remote = 0;
    if (!cross_core_us(local, remote)) return;
    std::printf("# cores 0 and 1 (%s): 2 MiB written on one, read on the other in %.1f us, on the same in %.1f us (%.2fx)\n",
                when, remote, local, remote / local);
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 20, warmup = 3;
    std::vector<std::string> configs = {"lesson", "S", "M"};
    std::vector<int> thread_counts = {1, 2};
    bool sgemm = true, phases = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
            return argv[++i];
        };
        if (a == "--steps") steps = std::max(1, std::atoi(next().c_str()));
        else if (a == "--warmup") warmup = std::max(0, std::atoi(next().c_str()));
        else if (a == "--config") configs = split(next());
        else if (a == "--threads") { thread_counts.clear(); for (auto& t : split(next())) thread_counts.push_back(std::atoi(t.c_str())); }
        else if (a == "--no-sgemm") sgemm = false;
        else if (a == "--phases") phases = true;
        else if (a == "--help" || a == "-h") {
            std::printf("usage: normscope-bench [--steps N] [--warmup N] [--config lesson,S,M] [--threads 1,2] [--no-sgemm] [--phases]\n");
            return 0;
        } else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
    }
    std::printf("# normscope-bench: median of %d training steps (forward, backward, Adam) after %d warm-up steps\n",
                steps, warmup);
    print_cores("before");
    std::vector<double> peak(thread_counts.size());
    for (std::size_t k = 0; k < thread_counts.size() && sgemm; ++k) {
        const double eigen = gemm_gflops(thread_counts[k], 5, false);
        std::printf("# SGEMM 1536^3 (Eigen, one product per thread, %d thread%s): %.1f GFLOP/s\n", thread_counts[k],
                    thread_counts[k] > 1 ? "s" : "", eigen);
        peak[k] = eigen;
        if constexpr (ns::kHaveFastGemm) {
            const double own = gemm_gflops(thread_counts[k], 5, true);
            std::printf("# SGEMM 1536^3 (NormScope gemm_acc, one product per thread, %d thread%s): %.1f GFLOP/s\n",
                        thread_counts[k], thread_counts[k] > 1 ? "s" : "", own);
            peak[k] = std::max(peak[k], own);
        }
    }
    std::printf("\n| config | placement | threads | ms/step | tokens/s | GFLOP/s | of best SGEMM above | peak heap MiB |%s\n",
                phases ? " forward ms | backward ms | Adam ms |" : "");
    std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |%s\n", phases ? " --- | --- | --- |" : "");
    for (const auto& name : configs) {
        auto it = std::find_if(kConfigs.begin(), kConfigs.end(), [&](const Config& c) { return c.name == name; });
        if (it == kConfigs.end()) { std::fprintf(stderr, "unknown config %s\n", name.c_str()); return 2; }
        for (auto placement : {ns::NormPlacement::Post, ns::NormPlacement::Pre})
            for (std::size_t k = 0; k < thread_counts.size(); ++k) {
                const Row r = bench(*it, placement, thread_counts[k], steps, warmup);
                char frac[16] = "-";  // no peak measured with --no-sgemm
                if (peak[k] > 0) std::snprintf(frac, sizeof frac, "%.0f%%", 100.0 * r.gflops / peak[k]);
                std::printf("| %s | %s | %d | %.2f | %.0f | %.1f | %s | %.1f |", r.config.c_str(), r.placement.c_str(),
                            r.threads, r.ms, r.tokens_per_s, r.gflops, frac, r.peak_mib);
                if (phases) std::printf(" %.2f | %.2f | %.3f |", r.forward_ms, r.backward_ms, r.adam_ms);
                std::printf("\n");
                std::fflush(stdout);
            }
    }
    std::printf("\n");
    print_cores("after");
    return 0;
}
