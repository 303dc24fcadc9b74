// The model beyond its gradients: float agrees with double, each norm does what its formula
// says, thread count changes no bit, probes and initialisation are what SPEC says.
#include <QtTest>

#include <atomic>
#include <cstring>

#include "engine/model.h"
#include "engine/report.h"
#include "engine/tasks.h"
#include "gradcheck.h"

using namespace ns;

Q_DECLARE_METATYPE(ns::NormKind)
Q_DECLARE_METATYPE(ns::NormPlacement)

namespace {

ModelConfig small_config(NormKind kind, NormPlacement placement) {
    ModelConfig c;
    c.layers = 3;
    c.d_model = 32;
    c.heads = 4;
    c.d_ff = 64;
    c.vocab = 16;
    c.max_len = 12;
    c.norm = kind;
    c.placement = placement;
    return c;
}

Batch batch_for(const ModelConfig& m, int B, int T, std::uint64_t seed) {
    TrainConfig t;
    t.batch = B;
    t.seq_len = T;
    t.seed = seed;
    return TaskData::create(m, t, "")->train_batch(0);
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace

class ModelTest : public QObject {
    Q_OBJECT
private slots:
    void floatMatchesDouble_data();
    void floatMatchesDouble();
    void layerNormStatistics();
    void rmsNormStatistics();
    void batchNormStatistics();
    void batchNormEvalUsesRunningStats();
    void threadsBitIdentical_data();
    void threadsBitIdentical();
    void rowChainedBackwardMatchesReference_data();
    void rowChainedBackwardMatchesReference();
    void probesMatchDirectComputation();
    void initialisation();
    void parameterNames();
    void seedsGiveSameWeightsAcrossRuns();
    void cancelLooksBetweenEveryBlock_data();
    void cancelLooksBetweenEveryBlock();
};

void ModelTest::floatMatchesDouble_data() {
    QTest::addColumn<NormKind>("kind");
    QTest::addColumn<NormPlacement>("placement");
    QTest::newRow("layernorm/post") << NormKind::LayerNorm << NormPlacement::Post;
    QTest::newRow("layernorm_std/pre") << NormKind::LayerNormStd << NormPlacement::Pre;
    QTest::newRow("rmsnorm/sandwich") << NormKind::RMSNorm << NormPlacement::Sandwich;
    QTest::newRow("batchnorm/pre") << NormKind::BatchNorm << NormPlacement::Pre;
    QTest::newRow("dyt/deepnorm") << NormKind::DyT << NormPlacement::DeepNorm;
    QTest::newRow("none/pre") << NormKind::None << NormPlacement::Pre;
}

void ModelTest::floatMatchesDouble() {
    QFETCH(NormKind, kind);
    QFETCH(NormPlacement, placement);
    ModelConfig c = small_config(kind, placement);
    c.layers = 4;
    Parallel par(1);
    Model<double> md(c, par);
    md.init(3);
    Model<float> mf(c, par);
    mf.copy_weights_from(md);
    const Batch b = batch_for(c, 4, 10, 1);
    ForwardOptions opt;
    opt.mode = Mode::TrainNoUpdate;
    const double ld = md.forward(b.ids.data(), b.targets.data(), 4, 10, opt).loss;
    const double lf = mf.forward(b.ids.data(), b.targets.data(), 4, 10, opt).loss;
    double max_abs = 0, max_diff = 0;
    for (std::size_t i = 0; i < md.logits().size(); ++i) {
        max_abs = std::max(max_abs, std::abs(md.logits()[i]));
        max_diff = std::max(max_diff, std::abs(md.logits()[i] - static_cast<double>(mf.logits()[i])));
    }
    const double rel = max_diff / max_abs;
    qInfo("logits: max |float - double| / max |double| = %.3e; loss %.9f vs %.9f", rel, lf, ld);
    QVERIFY2(rel <= 1e-5, qPrintable(QString("relative logit difference %1").arg(rel)));
    QVERIFY(std::abs(lf - ld) <= 1e-5 * std::abs(ld));
}

void ModelTest::layerNormStatistics() {
    // Before gamma and beta (gamma 1, beta 0): every position has mean 0 and variance
    // var / (var + eps), which is 1 up to eps.
    const int N = 7, D = 48;
    for (double eps : {1e-5, 1e-12}) {
        auto x = nstest::random_vector(N * D, 21, 3.0);
        for (int r = 0; r < N; ++r) for (int d = 0; d < D; ++d) x[r * D + d] += r - 2.0;
        std::vector<double> gamma(D, 1.0), beta(D, 0.0), y(N * D), m(N), v(N), mi(N), vi(N);
        NormWeights<double> w;
        w.gamma = gamma.data();
        w.beta = beta.data();
        NormCache<double> cache;
        Parallel par(1);
        norm_forward(y.data(), cache, x.data(), w, NormKind::LayerNorm, eps, Mode::Train, N, D, par);
        row_moments(m.data(), v.data(), y.data(), N, D, par);
        row_moments(mi.data(), vi.data(), x.data(), N, D, par);
        for (int r = 0; r < N; ++r) {
            QVERIFY2(std::abs(m[r]) <= 1e-5, qPrintable(QString("row %1 mean %2").arg(r).arg(m[r])));
            QVERIFY2(std::abs(v[r] - vi[r] / (vi[r] + eps)) <= 1e-5, qPrintable(QString("row %1 var %2").arg(r).arg(v[r])));
            if (eps < 1e-10) QVERIFY(std::abs(v[r] - 1.0) <= 1e-5);
        }
    }
}

void ModelTest::rmsNormStatistics() {
    const int N = 5, D = 40;
    auto x = nstest::random_vector(N * D, 22, 4.0);
    for (auto& e : x) e += 5.0;  // RMSNorm does not centre: the mean survives
    std::vector<float> xf(x.begin(), x.end()), gamma(D, 1.0f), y(N * D);
    NormWeights<float> w;
    w.gamma = gamma.data();
    NormCache<float> cache;
    Parallel par(1);
    norm_forward(y.data(), cache, xf.data(), w, NormKind::RMSNorm, 1e-6, Mode::Train, N, D, par);
    for (int r = 0; r < N; ++r) {
        double ss = 0, mean = 0;
        for (int d = 0; d < D; ++d) { ss += double(y[r * D + d]) * y[r * D + d]; mean += y[r * D + d]; }
        QVERIFY2(std::abs(std::sqrt(ss / D) - 1.0) <= 1e-5, qPrintable(QString("row %1 rms %2").arg(r).arg(std::sqrt(ss / D))));
        QVERIFY(mean / D > 0.1);  // not centred
    }
}

void ModelTest::batchNormStatistics() {
    // Statistics per feature over all rows: every feature has mean 0 and variance 1 over the
    // batch, while single rows keep a mean and variance of their own.
    const int N = 24, D = 6;
    auto x = nstest::random_vector(N * D, 23, 2.0);
    for (int r = 0; r < N; ++r) for (int d = 0; d < D; ++d) x[r * D + d] += d * 1.5 + (r % 3);
    std::vector<double> gamma(D, 1.0), beta(D, 0.0), y(N * D), rm(D, 0.0), rv(D, 1.0);
    NormWeights<double> w;
    w.gamma = gamma.data();
    w.beta = beta.data();
    w.running_mean = rm.data();
    w.running_var = rv.data();
    NormCache<double> cache;
    Parallel par(1);
    norm_forward(y.data(), cache, x.data(), w, NormKind::BatchNorm, 1e-12, Mode::Train, N, D, par);
    for (int d = 0; d < D; ++d) {
        double m = 0, v = 0, mx = 0, vx = 0;
        for (int r = 0; r < N; ++r) { m += y[r * D + d]; mx += x[r * D + d]; }
        m /= N;
        mx /= N;
        for (int r = 0; r < N; ++r) { v += (y[r * D + d] - m) * (y[r * D + d] - m); vx += (x[r * D + d] - mx) * (x[r * D + d] - mx); }
        QVERIFY(std::abs(m) <= 1e-9);
        QVERIFY(std::abs(v / N - 1.0) <= 1e-9);
        // running statistics: momentum 0.1, unbiased variance, as torch.nn.BatchNorm1d
        QVERIFY(std::abs(rm[d] - 0.1 * mx) <= 1e-12);
        QVERIFY(std::abs(rv[d] - (0.9 + 0.1 * vx / (N - 1))) <= 1e-12);
    }
    std::vector<double> rowm(N), rowv(N);
    row_moments(rowm.data(), rowv.data(), y.data(), N, D, par);
    double spread = 0;
    for (int r = 0; r < N; ++r) spread = std::max(spread, std::abs(rowv[r] - 1.0));
    QVERIFY2(spread > 0.1, "BatchNorm should leave per-position variances uneven");
}

void ModelTest::batchNormEvalUsesRunningStats() {
    const int N = 4, D = 3;
    auto x = nstest::random_vector(N * D, 24);
    std::vector<double> gamma = {1.5, 0.5, 2.0}, beta = {0.1, -0.2, 0.3}, y(N * D);
    std::vector<double> rm = {0.3, -1.0, 2.0}, rv = {4.0, 0.25, 1.0};
    const auto rm0 = rm, rv0 = rv;
    NormWeights<double> w;
    w.gamma = gamma.data();
    w.beta = beta.data();
    w.running_mean = rm.data();
    w.running_var = rv.data();
    NormCache<double> cache;
    Parallel par(1);
    norm_forward(y.data(), cache, x.data(), w, NormKind::BatchNorm, 1e-5, Mode::Eval, N, D, par);
    for (int r = 0; r < N; ++r)
        for (int d = 0; d < D; ++d) {
            const double expect = gamma[d] * (x[r * D + d] - rm[d]) / std::sqrt(rv[d] + 1e-5) + beta[d];
            QVERIFY(std::abs(y[r * D + d] - expect) <= 1e-12);
        }
    QCOMPARE(rm, rm0);  // evaluation never updates them
    QCOMPARE(rv, rv0);
    norm_forward(y.data(), cache, x.data(), w, NormKind::BatchNorm, 1e-5, Mode::TrainNoUpdate, N, D, par);
    QCOMPARE(rm, rm0);
}

void ModelTest::threadsBitIdentical_data() {
    QTest::addColumn<NormKind>("kind");
    QTest::addColumn<NormPlacement>("placement");
    QTest::addColumn<double>("dropout");
    QTest::newRow("layernorm/post") << NormKind::LayerNorm << NormPlacement::Post << 0.0;
    QTest::newRow("layernorm_std/pre") << NormKind::LayerNormStd << NormPlacement::Pre << 0.0;
    QTest::newRow("rmsnorm/sandwich/dropout") << NormKind::RMSNorm << NormPlacement::Sandwich << 0.1;
    QTest::newRow("batchnorm/pre") << NormKind::BatchNorm << NormPlacement::Pre << 0.0;
    QTest::newRow("dyt/deepnorm") << NormKind::DyT << NormPlacement::DeepNorm << 0.0;
    QTest::newRow("none/pre") << NormKind::None << NormPlacement::Pre << 0.0;
}

void ModelTest::threadsBitIdentical() {
    QFETCH(NormKind, kind);
    QFETCH(NormPlacement, placement);
    QFETCH(double, dropout);
    // Big enough that every kernel splits into several tiles: 160 rows, 144 features.
    ModelConfig c = small_config(kind, placement);
    c.layers = 2;
    c.d_model = 144;
    c.heads = 4;
    c.d_ff = 200;
    c.vocab = 70;
    c.max_len = 16;
    c.causal = true;
    c.embedding_norm = true;
    c.dropout = dropout;
    const Batch b = batch_for(c, 10, 16, 5);
    Parallel p1(1), p2(2);
    Model<float> m1(c, p1), m2(c, p2);
    m1.init(11);
    m2.init(11);
    ForwardOptions opt;
    opt.mode = Mode::Train;
    opt.collect_probes = true;
    opt.dropout_seed = 9;
    for (int step = 0; step < 2; ++step) {  // the second pass sees updated running statistics
        opt.step = step;
        m1.zero_grad();
        m2.zero_grad();
        const auto l1 = m1.forward(b.ids.data(), b.targets.data(), 10, 16, opt);
        const auto l2 = m2.forward(b.ids.data(), b.targets.data(), 10, 16, opt);
        m1.backward();
        m2.backward();
        QCOMPARE(std::memcmp(&l1.loss, &l2.loss, sizeof(double)), 0);
        QVERIFY(same_bits(m1.logits(), m2.logits()));
        QVERIFY(same_bits(m1.grads(), m2.grads()));
        QCOMPARE(m1.weight_grad_split(), 96);  // the weight gradients in two halves of 96 and 64 rows
        QVERIFY(same_bits(m1.buffers(), m2.buffers()));
        QVERIFY(m1.probes().grad_rms == m2.probes().grad_rms);
        QVERIFY(m1.probes().norms.front().var_in == m2.probes().norms.front().var_in);
    }
}

void ModelTest::rowChainedBackwardMatchesReference_data() {
    QTest::addColumn<NormKind>("kind");
    QTest::addColumn<NormPlacement>("placement");
    QTest::addColumn<double>("dropout");
    QTest::addColumn<int>("seqLen");
    QTest::addColumn<int>("chained");  // blocks of the 2 layers expected to run row-chained
    QTest::newRow("layernorm/post") << NormKind::LayerNorm << NormPlacement::Post << 0.0 << 16 << 4;
    QTest::newRow("layernorm/post/dropout") << NormKind::LayerNorm << NormPlacement::Post << 0.1 << 16 << 4;
    QTest::newRow("layernorm/pre") << NormKind::LayerNorm << NormPlacement::Pre << 0.0 << 16 << 4;
    QTest::newRow("layernorm_std/pre/dropout") << NormKind::LayerNormStd << NormPlacement::Pre << 0.1 << 16 << 4;
    QTest::newRow("rmsnorm/sandwich/dropout") << NormKind::RMSNorm << NormPlacement::Sandwich << 0.1 << 16 << 4;
    QTest::newRow("none/deepnorm") << NormKind::None << NormPlacement::DeepNorm << 0.0 << 16 << 4;
    QTest::newRow("rmsnorm/pre/T32") << NormKind::RMSNorm << NormPlacement::Pre << 0.0 << 32 << 4;
    QTest::newRow("layernorm/sandwich") << NormKind::LayerNorm << NormPlacement::Sandwich << 0.0 << 16 << 4;
    QTest::newRow("layernorm/deepnorm/dropout") << NormKind::LayerNorm << NormPlacement::DeepNorm << 0.1 << 16 << 4;
    QTest::newRow("layernorm/post/T24") << NormKind::LayerNorm << NormPlacement::Post << 0.0 << 24 << 4;
    // Not chained: BatchNorm and DyT need all rows between their two parts; 20 positions fit
    // neither the 48-row tiles of small batches nor the 64-row ones whole.
    QTest::newRow("batchnorm/post") << NormKind::BatchNorm << NormPlacement::Post << 0.0 << 16 << 0;
    QTest::newRow("dyt/pre") << NormKind::DyT << NormPlacement::Pre << 0.0 << 16 << 0;
    QTest::newRow("layernorm/post/T20") << NormKind::LayerNorm << NormPlacement::Post << 0.0 << 20 << 0;
}

// The row-chained backward runs the same operations on the same rows as the reference (every
// operation over all rows in turn): the gradients must agree to the bit, at 1 and 2 threads.
void ModelTest::rowChainedBackwardMatchesReference() {
    QFETCH(NormKind, kind);
    QFETCH(NormPlacement, placement);
    QFETCH(double, dropout);
    QFETCH(int, seqLen);
    QFETCH(int, chained);
    ModelConfig c = small_config(kind, placement);
    c.layers = 2;
    c.d_model = 48;
    c.heads = 4;
    c.d_ff = 96;
    c.max_len = 32;
    c.causal = true;
    c.embedding_norm = true;
    c.dropout = dropout;
    const int B = 12;  // 12 x 16 = 192 rows: four row tiles of 48 (12 x 32: six of 64)
    const Batch b = batch_for(c, B, seqLen, 6);
    for (int threads : {1, 2}) {
        Parallel par(threads);
        Model<float> mc(c, par), mr(c, par);
        mc.init(13);
        mr.init(13);
        ForwardOptions opt;
        opt.mode = Mode::Train;
        opt.collect_probes = true;
        opt.dropout_seed = 4;
        ForwardOptions ref = opt;
        ref.row_chained_backward = false;
        for (int step = 0; step < 2; ++step) {
            opt.step = ref.step = step;
            mc.zero_grad();
            mr.zero_grad();
            mc.forward(b.ids.data(), b.targets.data(), B, seqLen, opt);
            mr.forward(b.ids.data(), b.targets.data(), B, seqLen, ref);
            mc.backward();
            mr.backward();
            QCOMPARE(mc.chained_blocks(), chained);
            QCOMPARE(mr.chained_blocks(), 0);
            QVERIFY(mc.weight_grad_split() > 0);
            QVERIFY2(same_bits(mc.grads(), mr.grads()), qPrintable(QString("threads %1 step %2").arg(threads).arg(step)));
            QVERIFY(mc.probes().grad_rms == mr.probes().grad_rms);
            bool any = false;
            for (float g : mc.grads()) any = any || g != 0.0f;
            QVERIFY(any);
        }
    }
}

void ModelTest::probesMatchDirectComputation() {
    // A model with one layer and no norms in the way: the embedding norm's input is exactly
    // s * E[x] + P, which the test can compute on its own.
    ModelConfig c = small_config(NormKind::LayerNorm, NormPlacement::Pre);
    c.embedding_norm = true;
    Parallel par(1);
    Model<double> m(c, par);
    m.init(1);
    const int B = 3, T = 8;
    const Batch b = batch_for(c, B, T, 2);
    ForwardOptions opt;
    opt.collect_probes = true;
    opt.mode = Mode::TrainNoUpdate;
    m.forward(b.ids.data(), b.targets.data(), B, T, opt);
    m.backward();
    const ModelProbes& p = m.probes();
    QCOMPARE(p.norms.front().site, std::string("embedding"));
    const ParamInfo* E = m.find("embedding.weight");
    const ParamInfo* P = m.find("pos_embedding.weight");
    QVERIFY(E && P);
    const int D = c.d_model;
    for (int r = 0; r < B * T; ++r) {
        double mean = 0, var = 0;
        std::vector<double> v(D);
        for (int d = 0; d < D; ++d) {
            v[d] = m.params()[E->offset + b.ids[r] * D + d] + m.params()[P->offset + (r % T) * D + d];
            mean += v[d];
        }
        mean /= D;
        for (int d = 0; d < D; ++d) var += (v[d] - mean) * (v[d] - mean);
        var /= D;
        QVERIFY(std::abs(p.norms.front().mean_in[r] - mean) <= 1e-12);
        QVERIFY(std::abs(p.norms.front().var_in[r] - var) <= 1e-12);
        QVERIFY(std::abs(p.norms.front().mean_out[r]) <= 1e-9);  // gamma 1, beta 0 at init
        if (r < T)  // the first sample's vectors are kept whole, for the formula view
            for (int d = 0; d < D; ++d) QCOMPARE(p.norms.front().sample_in[r * D + d], v[d]);
    }
    QCOMPARE(int(p.norms.front().sample_out.size()), T * D);
    QCOMPARE(int(p.norms.front().gamma.size()), D);
    QCOMPARE(p.norms.front().eps, c.eps);
    // Sites: embedding, then norm1/norm2 per layer, then the final norm (pre: auto = on).
    QCOMPARE(int(p.norms.size()), 1 + 2 * c.layers + 1);
    QCOMPARE(p.norms.back().site, std::string("final"));
    QCOMPARE(int(p.hidden_rms.size()), c.layers + 1);
    for (int l = 0; l <= c.layers; ++l) QVERIFY(p.grad_rms[l] > 0);
    // The batch-averaged CSV rows: one per site and position.
    const std::string rows = norm_stats_rows(0, p);
    QCOMPARE(int(std::count(rows.begin(), rows.end(), '\n')), int(p.norms.size()) * T);
}

void ModelTest::initialisation() {
    // Xavier: N(0, 2/(fan_in + fan_out)); embeddings N(0, 1/2); gains 1, biases 0; DeepNorm
    // scales the value block, out_proj and the FFN by (8L)^(-1/4).
    ModelConfig c = small_config(NormKind::DyT, NormPlacement::DeepNorm);
    c.d_model = 64;
    c.d_ff = 256;
    c.vocab = 200;
    c.max_len = 64;
    c.layers = 2;
    c.dyt_alpha = 0.7;
    Parallel par(1);
    Model<double> m(c, par);
    m.init(5);
    auto variance = [&](const std::string& name, std::size_t from = 0, std::size_t to = 0) {
        const ParamInfo* t = m.find(name);
        if (!t) qFatal("no tensor %s", name.c_str());
        if (to == 0) to = t->size;
        double s = 0;
        for (std::size_t i = from; i < to; ++i) s += m.params()[t->offset + i] * m.params()[t->offset + i];
        return s / double(to - from);
    };
    const double beta2 = std::pow(8.0 * 2, -0.5);  // beta^2
    const double D = 64, F = 256;
    QVERIFY(std::abs(variance("embedding.weight") / 0.5 - 1) < 0.05);
    QVERIFY(std::abs(variance("pos_embedding.weight") / 0.5 - 1) < 0.05);
    QVERIFY(std::abs(variance("layers.0.self_attn.in_proj_weight", 0, 64 * 64) / (1 / D) - 1) < 0.06);
    QVERIFY(std::abs(variance("layers.0.self_attn.in_proj_weight", 2 * 64 * 64, 3 * 64 * 64) / (beta2 / D) - 1) < 0.06);
    QVERIFY(std::abs(variance("layers.1.linear1.weight") / (beta2 * 2 / (D + F)) - 1) < 0.05);
    QVERIFY(std::abs(variance("head.weight") / (2 / (D + 200)) - 1) < 0.06);
    QCOMPARE(variance("layers.0.linear1.bias"), 0.0);
    QCOMPARE(m.params()[m.find("layers.1.norm2.alpha")->offset], 0.7);
    QCOMPARE(m.params()[m.find("layers.1.norm2.weight")->offset + 5], 1.0);
}

void ModelTest::parameterNames() {
    ModelConfig c = small_config(NormKind::BatchNorm, NormPlacement::Sandwich);
    c.layers = 1;
    c.embedding_norm = true;
    Parallel par(1);
    Model<float> m(c, par);
    QStringList names;
    for (const auto& t : m.tensors()) names << QString::fromStdString(t.name);
    const QStringList expected = {
        "embedding.weight", "pos_embedding.weight", "embedding_norm.weight", "embedding_norm.bias",
        "embedding_norm.running_mean", "embedding_norm.running_var", "layers.0.self_attn.in_proj_weight",
        "layers.0.self_attn.in_proj_bias", "layers.0.self_attn.out_proj.weight", "layers.0.self_attn.out_proj.bias",
        "layers.0.linear1.weight", "layers.0.linear1.bias", "layers.0.linear2.weight", "layers.0.linear2.bias",
        "layers.0.norm1.weight", "layers.0.norm1.bias", "layers.0.norm1.running_mean", "layers.0.norm1.running_var",
        "layers.0.norm1_out.weight", "layers.0.norm1_out.bias", "layers.0.norm1_out.running_mean",
        "layers.0.norm1_out.running_var", "layers.0.norm2.weight", "layers.0.norm2.bias",
        "layers.0.norm2.running_mean", "layers.0.norm2.running_var", "layers.0.norm2_out.weight",
        "layers.0.norm2_out.bias", "layers.0.norm2_out.running_mean", "layers.0.norm2_out.running_var",
        "final_norm.weight", "final_norm.bias", "final_norm.running_mean", "final_norm.running_var",
        "head.weight", "head.bias"};
    QCOMPARE(names, expected);
    QCOMPARE(m.find("layers.0.self_attn.in_proj_weight")->shape, (std::vector<std::int64_t>{96, 32}));
    QCOMPARE(m.find("layers.0.linear2.weight")->shape, (std::vector<std::int64_t>{32, 64}));
}

void ModelTest::seedsGiveSameWeightsAcrossRuns() {
    // Runs that differ only in placement or in an optional tensor share every other tensor.
    Parallel par(1);
    ModelConfig a = small_config(NormKind::LayerNorm, NormPlacement::Post);
    ModelConfig b = small_config(NormKind::LayerNorm, NormPlacement::Pre);
    b.embedding_norm = true;
    b.positional = Positional::Sinusoidal;
    Model<float> ma(a, par), mb(b, par);
    ma.init(7);
    mb.init(7);
    int shared = 0;
    for (const auto& t : ma.tensors()) {
        const ParamInfo* u = mb.find(t.name);
        if (!u || t.is_buffer) continue;
        ++shared;
        QVERIFY2(std::equal(ma.params().begin() + t.offset, ma.params().begin() + t.offset + t.size,
                            mb.params().begin() + u->offset),
                 t.name.c_str());
    }
    QVERIFY(shared > 10);
    Model<float> mc(a, par);
    mc.init(8);
    QVERIFY(mc.params() != ma.params());
}

void ModelTest::cancelLooksBetweenEveryBlock_data() {
    QTest::addColumn<NormPlacement>("placement");
    QTest::addColumn<bool>("chained");
    QTest::newRow("post, chained") << NormPlacement::Post << true;
    QTest::newRow("pre, chained") << NormPlacement::Pre << true;
    QTest::newRow("pre, reference backward") << NormPlacement::Pre << false;
    QTest::newRow("sandwich") << NormPlacement::Sandwich << true;
}

// How fast a step stops when cancelled, without a clock: forward looks at the flag before each of
// the 2L blocks and before the head, backward before each block; a flag set at the start stops
// the step at its first look. (The window's and trainer's tests print the latency in ms.)
void ModelTest::cancelLooksBetweenEveryBlock() {
    QFETCH(NormPlacement, placement);
    QFETCH(bool, chained);
    Parallel par(2);
    ModelConfig c = small_config(NormKind::LayerNorm, placement);
    c.layers = 4;
    Model<float> m(c, par);
    m.init(3);
    const Batch b = batch_for(c, 4, 12, 1);
    std::atomic<bool> cancel{false};
    ForwardOptions opt;
    opt.cancel = &cancel;
    opt.row_chained_backward = chained;
    m.forward(b.ids.data(), b.targets.data(), 4, 12, opt);  // the first one also sizes the buffers
    m.backward();
    for (int step = 0; step < 2; ++step) {
        const std::size_t start = m.cancel_checks();
        m.zero_grad();
        m.forward(b.ids.data(), b.targets.data(), 4, 12, opt);
        QCOMPARE(m.cancel_checks() - start, std::size_t(2 * c.layers + 1));
        m.backward();
        QCOMPARE(m.cancel_checks() - start, std::size_t(4 * c.layers + 1));
        QCOMPARE(m.chained_blocks(), chained ? 2 * c.layers : 0);  // both backward paths covered
    }
    // A flag set before forward stops it at its first look; one set between forward and
    // backward stops backward at its first.
    cancel = true;
    std::size_t start = m.cancel_checks();
    QVERIFY_THROWS_EXCEPTION(StepCancelled, m.forward(b.ids.data(), b.targets.data(), 4, 12, opt));
    QCOMPARE(m.cancel_checks() - start, std::size_t(1));
    cancel = false;
    m.zero_grad();
    m.forward(b.ids.data(), b.targets.data(), 4, 12, opt);
    cancel = true;
    start = m.cancel_checks();
    QVERIFY_THROWS_EXCEPTION(StepCancelled, m.backward());
    QCOMPARE(m.cancel_checks() - start, std::size_t(1));
}

QTEST_APPLESS_MAIN(ModelTest)
#include "tst_engine_model.moc"
