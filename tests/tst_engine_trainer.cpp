// Optimizers, schedules, clipping, the lockstep trainer, divergence and cancellation.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "engine/kernels.h"
#include "engine/optimizer.h"
#include "engine/rng.h"
#include "engine/run_writer.h"
#include "engine/trainer.h"

using namespace ns;

namespace {

Experiment tiny_experiment(int steps = 30) {
    Experiment e = default_experiment();
    e.model.layers = 2;
    e.model.d_model = 16;
    e.model.heads = 2;
    e.model.d_ff = 32;
    e.model.vocab = 10;
    e.model.max_len = 8;
    e.train.seq_len = 8;
    e.train.batch = 8;
    e.train.steps = steps;
    e.train.eval_every = 10;
    e.train.probe_every = 10;
    nlohmann::json j = to_json(e);
    return parse_experiment(j);
}

// Collects everything a trainer reports.
struct Recorder : TrainerSink {
    std::vector<std::vector<StepMetrics>> metrics;
    std::vector<std::vector<long>> probe_steps;
    std::vector<std::pair<long, std::string>> diverged;
    explicit Recorder(int runs) : metrics(runs), probe_steps(runs), diverged(runs, {0, ""}) {}
    void on_metrics(int run, const StepMetrics& m) override { metrics[run].push_back(m); }
    void on_probe(int run, const ProbeSnapshot& p) override { probe_steps[run].push_back(p.step); }
    void on_diverged(int run, long step, const std::string& cause) override { diverged[run] = {step, cause}; }
};

}  // namespace

class TrainerTest : public QObject {
    Q_OBJECT
private slots:
    void adamStep();
    void adamWStep();
    void sgdMomentumSteps();
    void schedules();
    void clipping();
    void lockstepSameBatchesSameInit();
    void deterministicAcrossThreads_data();
    void deterministicAcrossThreads();
    void divergedRunIsRecorded();
    void cancelReturnsWithinOneStep();
    void cancelMidStepOnConfigM();
    void cancelledStepLeavesNoTrace();
    void pauseAndStep();
    void resetRestoresInitialWeights();
    void buildCanBeAbandoned();
    void batchNormRunningStatsUpdate();
};

void TrainerTest::adamStep() {
    TrainConfig t;
    t.optimizer = Optimizer::Adam;
    t.beta1 = 0.9;
    t.beta2 = 0.98;
    t.adam_eps = 1e-8;
    t.weight_decay = 0.1;
    std::vector<double> p = {1.0, -2.0, 0.5}, g = {0.3, 0.1, -0.4};
    OptimizerState<double> opt(t, 3);
    const double lr = 0.01;
    std::vector<double> m(3, 0), v(3, 0), expect = p;
    for (long step = 1; step <= 3; ++step) {
        for (int i = 0; i < 3; ++i) {
            const double gi = g[i] + 0.1 * expect[i];  // L2 decay enters the gradient (torch.optim.Adam)
            m[i] = 0.9 * m[i] + 0.1 * gi;
            v[i] = 0.98 * v[i] + 0.02 * gi * gi;
            const double mhat = m[i] / (1 - std::pow(0.9, step)), vhat = v[i] / (1 - std::pow(0.98, step));
            expect[i] -= lr * mhat / (std::sqrt(vhat) + 1e-8);
        }
        opt.update(p.data(), g.data(), 3, lr, step);
        for (int i = 0; i < 3; ++i) QVERIFY2(std::abs(p[i] - expect[i]) < 1e-12, qPrintable(QString::number(p[i] - expect[i])));
    }
    // The very first Adam step moves each weight by about lr, whatever the gradient's size.
    std::vector<double> q = {0.0}, big = {1000.0};
    TrainConfig t2 = t;
    t2.weight_decay = 0;
    OptimizerState<double> o2(t2, 1);
    o2.update(q.data(), big.data(), 1, lr, 1);
    QVERIFY(std::abs(q[0] + lr) < 1e-9);
}

void TrainerTest::adamWStep() {
    TrainConfig t;
    t.optimizer = Optimizer::AdamW;
    t.beta1 = 0.9;
    t.beta2 = 0.999;
    t.weight_decay = 0.5;
    std::vector<double> p = {2.0}, g = {0.2};
    OptimizerState<double> opt(t, 1);
    opt.update(p.data(), g.data(), 1, 0.1, 1);
    // decoupled: p = p (1 - lr wd) - lr * mhat / (sqrt(vhat) + eps) = 2 * 0.95 - 0.1 * 0.2/(0.2 + 1e-8)
    const double expect = 2.0 * (1 - 0.1 * 0.5) - 0.1 * 0.2 / (0.2 + 1e-8);
    QVERIFY(std::abs(p[0] - expect) < 1e-12);
}

void TrainerTest::sgdMomentumSteps() {
    TrainConfig t;
    t.optimizer = Optimizer::SGD;
    t.momentum = 0.9;
    t.weight_decay = 0.0;
    std::vector<double> p = {1.0}, g = {0.5};
    OptimizerState<double> opt(t, 1);
    opt.update(p.data(), g.data(), 1, 0.1, 1);  // buf = 0.5
    QVERIFY(std::abs(p[0] - (1.0 - 0.05)) < 1e-15);
    opt.update(p.data(), g.data(), 1, 0.1, 2);  // buf = 0.9 * 0.5 + 0.5 = 0.95
    QVERIFY(std::abs(p[0] - (1.0 - 0.05 - 0.095)) < 1e-15);
}

void TrainerTest::schedules() {
    TrainConfig t;
    t.lr = 1.0;
    t.steps = 110;
    t.warmup = 10;
    t.schedule = Schedule::Constant;
    QCOMPARE(schedule_lr(t, 1), 0.1);
    QCOMPARE(schedule_lr(t, 5), 0.5);
    QCOMPARE(schedule_lr(t, 10), 1.0);
    QCOMPARE(schedule_lr(t, 80), 1.0);
    t.schedule = Schedule::Linear;
    QCOMPARE(schedule_lr(t, 60), 0.5);
    QCOMPARE(schedule_lr(t, 110), 0.0);
    t.min_lr_ratio = 0.1;
    QVERIFY(std::abs(schedule_lr(t, 110) - 0.1) < 1e-15);
    t.min_lr_ratio = 0;
    t.schedule = Schedule::Cosine;
    QVERIFY(std::abs(schedule_lr(t, 60) - 0.5) < 1e-12);
    QVERIFY(std::abs(schedule_lr(t, 35) - 0.5 * (1 + std::cos(M_PI * 0.25))) < 1e-12);
    QVERIFY(std::abs(schedule_lr(t, 110)) < 1e-12);
    t.schedule = Schedule::InverseSqrt;
    QCOMPARE(schedule_lr(t, 10), 1.0);
    QVERIFY(std::abs(schedule_lr(t, 40) - 0.5) < 1e-12);
    t.warmup = 0;
    t.schedule = Schedule::Constant;
    QCOMPARE(schedule_lr(t, 1), 1.0);
}

void TrainerTest::clipping() {
    const Parallel one(1), two(2);
    double partials[1];
    std::vector<float> g = {3.0f, 4.0f, 0.0f, 12.0f};  // norm 13
    const double norm = l2_norm(g.data(), g.size(), partials, two);
    QCOMPARE(norm, 13.0);
    clip_global_norm(g.data(), g.size(), norm, 1.0, two);
    QVERIFY(std::abs(l2_norm(g.data(), g.size(), partials, one) - 1.0) < 1e-6);
    std::vector<float> h = {0.3f, 0.4f};  // below the limit: untouched
    QCOMPARE(clip_global_norm(h.data(), h.size(), 0.5, 1.0, two), 1.0);
    QCOMPARE(h[0], 0.3f);

    // Several tiles and a short last one: the same bits at 1 and 2 threads, the exact norm
    // within double rounding, and the clipped vector scaled element by element.
    const std::size_t n = 3 * kSumTile + 77;
    std::vector<float> big(n);
    Rng rng(5);
    for (float& x : big) x = static_cast<float>(rng.normal());
    long double exact = 0;
    for (float x : big) exact += static_cast<long double>(x) * x;
    std::vector<double> parts(sum_squares_partials(n));
    QCOMPARE(parts.size(), std::size_t(4));
    const double n1 = l2_norm(big.data(), n, parts.data(), one), n2 = l2_norm(big.data(), n, parts.data(), two);
    QCOMPARE(std::memcmp(&n1, &n2, sizeof n1), 0);
    QVERIFY(std::abs(n1 - std::sqrt(static_cast<double>(exact))) < 1e-12 * n1);
    std::vector<float> a = big, b = big;
    const double fa = clip_global_norm(a.data(), n, n1, 1.0, one), fb = clip_global_norm(b.data(), n, n1, 1.0, two);
    QCOMPARE(fa, fb);
    QVERIFY(fa < 1.0);
    const float f = static_cast<float>(fa);
    std::size_t exact_products = 0;  // every element, the short last tile's too, bit for bit
    for (std::size_t i = 0; i < n; ++i) exact_products += a[i] == big[i] * f ? 1 : 0;
    QCOMPARE(exact_products, n);
    QCOMPARE(std::memcmp(a.data(), b.data(), n * sizeof(float)), 0);
    QVERIFY(std::abs(l2_norm(a.data(), n, parts.data(), two) - 1.0) < 1e-5);
}

void TrainerTest::lockstepSameBatchesSameInit() {
    Experiment e = tiny_experiment(3);
    Trainer tr(e, 2);
    // Post-LN and Pre-LN share every tensor but Pre-LN's final norm, and their initial values.
    int shared = 0;
    for (const ParamInfo& t : tr.model(0).tensors()) {
        const ParamInfo* u = tr.model(1).find(t.name);
        QVERIFY2(u, t.name.c_str());
        QVERIFY(std::equal(tr.model(0).params().begin() + t.offset, tr.model(0).params().begin() + t.offset + t.size,
                           tr.model(1).params().begin() + u->offset));
        ++shared;
    }
    QCOMPARE(shared + 2, int(tr.model(1).tensors().size()));  // + final_norm.weight and .bias
    Recorder rec(2);
    tr.set_sink(&rec);
    QVERIFY(tr.run());
    QCOMPARE(int(rec.metrics[0].size()), 3);
    // Both runs report the same steps, and their first losses differ (different placements).
    QVERIFY(rec.metrics[0][0].train_loss != rec.metrics[1][0].train_loss);
}

void TrainerTest::deterministicAcrossThreads_data() {
    QTest::addColumn<int>("seq_len");
    QTest::addColumn<int>("d_model");
    QTest::addColumn<double>("clip");
    QTest::newRow("8 positions") << 8 << 16 << 0.0;
    QTest::newRow("24 positions (the attention kernel of longer sequences)") << 24 << 16 << 0.0;
    // Over 64 Ki parameters: the gradient norm sums several tiles, and clips every step.
    QTest::newRow("d_model 64, clipped at 0.05") << 8 << 64 << 0.05;
}

void TrainerTest::deterministicAcrossThreads() {
    QFETCH(int, seq_len);
    QFETCH(int, d_model);
    QFETCH(double, clip);
    Experiment e = tiny_experiment(25);
    e.model.max_len = seq_len;
    e.train.seq_len = seq_len;
    for (RunSpec& r : e.runs) {
        r.model.max_len = seq_len;
        r.model.d_model = d_model;
        r.model.d_ff = 2 * d_model;
        r.train.seq_len = seq_len;
        r.train.clip = clip;
    }
    e.runs[1].model.norm = NormKind::BatchNorm;  // running statistics in the picture too
    e.runs[1].model.dropout = 0.1;
    std::vector<std::string> rows[2];
    for (int k = 0; k < 2; ++k) {
        Trainer tr(e, k + 1);
        Recorder rec(2);
        tr.set_sink(&rec);
        tr.run();
        for (int r = 0; r < 2; ++r)
            for (const auto& m : rec.metrics[r]) rows[k].push_back(RunWriter::metrics_row(m));
        rows[k].push_back(std::to_string(tr.model(1).buffers().empty() ? 0.0 : tr.model(1).buffers()[3]));
        if (clip > 0) {
            QVERIFY(tr.model(0).num_params() > 4 * kSumTile);
            QVERIFY(rec.metrics[0].front().grad_norm > clip && rec.metrics[0].back().grad_norm > clip);
        }
    }
    QCOMPARE(rows[0], rows[1]);
}

void TrainerTest::divergedRunIsRecorded() {
    Experiment e = tiny_experiment(40);
    // An SGD run at lr 10 with no normalization and no clipping explodes; the other one trains.
    nlohmann::json j = to_json(e);
    j["runs"][1]["model"] = {{"norm", "none"}, {"placement", "pre"}};
    j["runs"][1]["train"] = {{"optimizer", "sgd"}, {"lr", 10.0}, {"momentum", 0.9}};
    j["runs"][1]["name"] = "exploding";
    e = parse_experiment(j);
    Trainer tr(e, 2);
    Recorder rec(2);
    tr.set_sink(&rec);
    QVERIFY(tr.run());
    const RunStatus bad = tr.status(1), good = tr.status(0);
    QVERIFY2(bad.diverged, "the lr 10 run should diverge");
    QVERIFY(bad.diverged_step >= 1 && bad.diverged_step < 40);
    QCOMPARE(rec.diverged[1].first, bad.diverged_step);
    QVERIFY(!bad.cause.empty());
    qInfo("diverged at step %ld: %s", bad.diverged_step, bad.cause.c_str());
    QVERIFY(rec.metrics[1].back().diverged);
    QCOMPARE(long(rec.metrics[1].size()), bad.diverged_step);
    QVERIFY(!good.diverged);
    QCOMPARE(int(rec.metrics[0].size()), 40);
    QCOMPARE(good.step, 40L);
}

void TrainerTest::cancelReturnsWithinOneStep() {
    Experiment e = tiny_experiment(1000000);
    Trainer tr(e, 2);
    std::atomic<bool> returned{false};
    std::thread worker([&] {
        tr.run();
        returned = true;
    });
    while (tr.current_step() < 5) std::this_thread::yield();
    tr.cancel();
    const long at_cancel = tr.current_step();
    worker.join();
    QVERIFY(returned);
    QVERIFY2(tr.current_step() <= at_cancel + 1, "cancel must take effect within one step");
    QVERIFY(!tr.finished());
}

// Issue 6: cancel on config M (about a second per step on one core), aiming at 200 ms. Cancel
// lands at several points inside steps; run() must return, and how long it took is printed, not
// asserted (the model's looks at the flag are counted in tst_engine_model).
void TrainerTest::cancelMidStepOnConfigM() {
    Experiment e = default_experiment();
    e.model.layers = 12;
    e.model.d_model = 256;
    e.model.heads = 8;
    e.model.d_ff = 1024;
    e.model.vocab = 64;
    e.model.max_len = 64;
    e.train.seq_len = 64;
    e.train.batch = 32;
    e.train.steps = 1000;
    e = parse_experiment(to_json(e));  // Post-LN and Pre-LN, as the default
    Trainer tr(e, 2);
    std::vector<double> ms;
    for (int delay : {150, 400, 700, 1100}) {
        std::atomic<bool> returned{false};
        std::chrono::steady_clock::time_point done;
        tr.clear_cancel();
        std::thread worker([&] {
            tr.run();
            done = std::chrono::steady_clock::now();
            returned = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        const auto t0 = std::chrono::steady_clock::now();
        tr.cancel();
        worker.join();
        QVERIFY(returned);
        ms.push_back(std::chrono::duration<double, std::milli>(done - t0).count());
    }
    QString list;
    for (double m : ms) list += QString::number(m, 'f', 1) + " ms  ";
    qInfo("config M, 2 runs, 2 threads: cancel returned after %s(target 200 ms)", qPrintable(list));
    // Printed, not asserted (a shared machine's clock proves nothing): how soon a step stops is
    // tst_engine_model's cancelLooksBetweenEveryBlock, counted in looks at the flag.
    QVERIFY(!tr.finished());
}

// A step cancelled before its update leaves the trainer as it was: BatchNorm's running statistics
// (moved by the embedding norm's forward before the first check) are put back, and training on
// gives the same numbers as a trainer that was never cancelled.
void TrainerTest::cancelledStepLeavesNoTrace() {
    Experiment e = tiny_experiment(6);
    e.model.embedding_norm = true;
    e.model.norm = NormKind::BatchNorm;
    e = parse_experiment(to_json(e));
    Trainer a(e, 2), b(e, 2);
    a.run();
    b.step();
    const auto buffers = b.model(0).buffers();
    const auto params = b.model(0).params();
    b.cancel();
    QVERIFY(!b.step());
    QCOMPARE(b.current_step(), 1L);
    QCOMPARE(b.model(0).buffers(), buffers);
    QCOMPARE(b.model(0).params(), params);
    b.clear_cancel();
    QVERIFY(b.run());
    for (int r = 0; r < 2; ++r) {
        QCOMPARE(b.model(r).params(), a.model(r).params());
        QCOMPARE(b.model(r).buffers(), a.model(r).buffers());
    }
}

void TrainerTest::pauseAndStep() {
    Experiment e = tiny_experiment(1000);
    Trainer tr(e, 1);
    tr.pause();
    std::thread worker([&] { tr.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(tr.current_step(), 0L);
    tr.request_step();
    for (int i = 0; i < 30000 && tr.current_step() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(tr.current_step(), 1L);  // exactly one step
    tr.request_step();
    tr.request_step();
    for (int i = 0; i < 30000 && tr.current_step() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QCOMPARE(tr.current_step(), 3L);
    tr.cancel();
    worker.join();
}

void TrainerTest::resetRestoresInitialWeights() {
    Experiment e = tiny_experiment(5);
    Trainer tr(e, 1);
    const auto initial = tr.model(0).params();
    tr.run();
    QVERIFY(tr.model(0).params() != initial);
    tr.reset();
    QCOMPARE(tr.model(0).params(), initial);
    QCOMPARE(tr.current_step(), 0L);
    QVERIFY(!tr.finished());
}

// The trainer builds each model with its run's seed; the weights equal a fresh Model's with that
// seed and those that reset() restores. A build whose caller gave up throws BuildAbandoned.
void TrainerTest::buildCanBeAbandoned() {
    Experiment e = tiny_experiment(5);  // Post-LN and Pre-LN
    QCOMPARE(int(e.runs.size()), 2);
    e.runs[1].model = e.runs[0].model;
    e.runs[1].train.seed = e.runs[0].train.seed + 7;
    std::atomic<bool> abandon{false};
    Trainer tr(e, 1, &abandon);
    QCOMPARE(tr.num_runs(), 2);
    Parallel par(1);
    for (int i = 0; i < 2; ++i) {
        Model<float> fresh(e.runs[i].model, par, e.runs[i].train.seed);
        QCOMPARE(tr.model(i).params(), fresh.params());
    }
    QVERIFY(tr.model(0).params() != tr.model(1).params());
    const auto initial = tr.model(1).params();
    tr.reset();
    QCOMPARE(tr.model(1).params(), initial);
    abandon = true;
    QVERIFY_THROWS_EXCEPTION(BuildAbandoned, Trainer(e, 1, &abandon));
}

void TrainerTest::batchNormRunningStatsUpdate() {
    Experiment e = tiny_experiment(3);
    e.runs[0].model.norm = NormKind::BatchNorm;
    Trainer tr(e, 1);
    const auto before = tr.model(0).buffers();
    QVERIFY(!before.empty());
    tr.step();
    QVERIFY(tr.model(0).buffers() != before);
}

QTEST_APPLESS_MAIN(TrainerTest)
#include "tst_engine_trainer.moc"
