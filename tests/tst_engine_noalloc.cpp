// Issue 7: no heap allocation inside a training step after the first. Every malloc, calloc,
// realloc and aligned allocation of the process is counted (operator new and Eigen's own
// allocations go through them), with Eigen's EIGEN_RUNTIME_NO_MALLOC switch off during the
// steps as well. Sanitizer builds replace malloc themselves: there the count is skipped.
#include <QtTest>

#include <atomic>
#include <cstdlib>
#include <malloc.h>

#include "engine/model.h"
#include "engine/optimizer.h"
#include "engine/tasks.h"
#include "engine/trainer.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NS_COUNT_ALLOCATIONS 0
#else
#define NS_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
std::atomic<long> g_abort_at{-1};  // NS_ALLOC_ABORT=k: abort at the k-th counted allocation (for gdb)
inline void note() {
    if (!g_counting.load(std::memory_order_relaxed)) return;
    const long n = g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (n == g_abort_at.load()) __builtin_trap();
}
}  // namespace

#if NS_COUNT_ALLOCATIONS
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void* malloc(std::size_t n) {
    note();
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    note();
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    note();
    return __libc_realloc(p, n);
}
void* memalign(std::size_t align, std::size_t n) {
    note();
    return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
    note();
    return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
    note();
    *out = __libc_memalign(align, n);
    return *out ? 0 : ENOMEM;
}
}
#endif

using namespace ns;

namespace {

struct Counting {
    Counting() {
        g_allocations = 0;
        if (const char* a = std::getenv("NS_ALLOC_ABORT")) g_abort_at = std::atol(a);
        Eigen::internal::set_is_malloc_allowed(false);
        g_counting = true;
    }
    ~Counting() {
        g_counting = false;
        Eigen::internal::set_is_malloc_allowed(true);
    }
    long count() const { return g_allocations.load(); }
};

Experiment model_experiment(const char* placement, const char* norm, int seq_len) {
    nlohmann::json j = to_json(default_experiment());
    j["model"].update({{"layers", 3}, {"d_model", 64}, {"heads", 4}, {"d_ff", 256}, {"vocab", 32},
                       {"max_len", seq_len}, {"placement", placement}, {"norm", norm}, {"dropout", 0.1}});
    j["train"].update({{"seq_len", seq_len}, {"batch", 32}, {"steps", 50}, {"probe_every", 1000}, {"eval_every", 1000}});
    j["runs"] = {{{"name", "a"}}};
    return parse_experiment(j);
}

}  // namespace

class NoAllocTest : public QObject {
    Q_OBJECT
private slots:
    void modelStep_data();
    void modelStep();
    void trainerStep_data();
    void trainerStep();
};

void NoAllocTest::modelStep_data() {
    QTest::addColumn<QString>("placement");
    QTest::addColumn<QString>("norm");
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("seq_len");
    for (int threads : {1, 2})
        for (const char* pl : {"post", "pre", "sandwich"})
            for (const char* norm : {"layernorm", "rmsnorm", "batchnorm", "dyt"})
                QTest::newRow(qPrintable(QString("%1 %2, %3 thread(s)").arg(pl, norm).arg(threads)))
                    << QString(pl) << QString(norm) << threads << 16;
    // Sequences longer than 16 take the other attention kernel (products through gemm.h).
    for (int threads : {1, 2})
        QTest::newRow(qPrintable(QString("post layernorm, 40 positions, %1 thread(s)").arg(threads)))
            << QString("post") << QString("layernorm") << threads << 40;
}

// Forward, backward and the Adam update of a model, the way a trainer step runs them.
void NoAllocTest::modelStep() {
    if (!NS_COUNT_ALLOCATIONS) QSKIP("a sanitizer owns malloc in this build");
    QFETCH(QString, placement);
    QFETCH(QString, norm);
    QFETCH(int, threads);
    QFETCH(int, seq_len);
    const Experiment e = model_experiment(placement.toUtf8().constData(), norm.toUtf8().constData(), seq_len);
    const Parallel par(threads);
    Model<float> m(e.runs[0].model, par);
    m.init(0);
    OptimizerState<float> opt(e.runs[0].train, m.num_params());
    auto data = TaskData::create(e.runs[0].model, e.runs[0].train, "");
    const Batch b = data->train_batch(0);
    ForwardOptions fo;
    fo.mode = Mode::Train;
    fo.dropout_seed = 1;
    auto step = [&](int s) {
        fo.step = static_cast<std::uint64_t>(s);
        m.zero_grad();
        m.forward(b.ids.data(), b.targets.data(), b.batch, b.seq_len, fo);
        m.backward();
        opt.update(m.params().data(), m.grads().data(), m.num_params(), 1e-3, s);
    };
    step(1);  // the first step sizes the workspace and the optimizer state
    step(2);
    long n = 0;
    {
        Counting c;
        for (int s = 3; s <= 5; ++s) step(s);
        n = c.count();
    }
    QVERIFY2(n == 0, qPrintable(QString("%1 heap allocations in 3 steps").arg(n)));
}

void NoAllocTest::trainerStep_data() {
    QTest::addColumn<int>("threads");
    QTest::newRow("1 thread") << 1;
    QTest::newRow("2 threads") << 2;
}

// A whole Trainer::step (batch, forward, backward, clipping, update, for two runs in lockstep),
// on steps without a probe or an evaluation (those hand new results to the sink).
void NoAllocTest::trainerStep() {
    if (!NS_COUNT_ALLOCATIONS) QSKIP("a sanitizer owns malloc in this build");
    QFETCH(int, threads);
    nlohmann::json j = to_json(model_experiment("post", "layernorm", 16));
    j["train"]["clip"] = 1.0;
    j["runs"] = {{{"name", "Post-LN"}, {"model", {{"placement", "post"}}}},
                 {{"name", "Pre-LN"}, {"model", {{"placement", "pre"}}}}};
    Trainer t(parse_experiment(j), threads);
    t.step();  // step 1 probes (step 0) and sizes everything
    t.step();
    long n = 0;
    {
        Counting c;
        for (int s = 0; s < 3; ++s) t.step();
        n = c.count();
    }
    QCOMPARE(t.current_step(), 5L);
    QVERIFY2(n == 0, qPrintable(QString("%1 heap allocations in 3 trainer steps").arg(n)));
}

QTEST_APPLESS_MAIN(NoAllocTest)
#include "tst_engine_noalloc.moc"
