// Every backward pass against finite differences in double precision: each op alone, then the
// whole model for every norm kind x placement x residual x causal x embedding norm.
#include <QtTest>

#include "engine/kernels.h"
#include "engine/model.h"
#include "gradcheck.h"

using namespace ns;
using nstest::check_op;
using nstest::kTolerance;
using nstest::random_vector;
using nstest::Worst;

Q_DECLARE_METATYPE(ns::NormKind)
Q_DECLARE_METATYPE(ns::NormPlacement)
Q_DECLARE_METATYPE(ns::Activation)

namespace {

const Parallel& serial() {
    static Parallel p(1);
    return p;
}

void report(const Worst& w) {
    qInfo().noquote() << QString::fromStdString(w.describe());
    QVERIFY2(w.rel <= kTolerance, w.describe().c_str());
    QVERIFY(w.checked > 0);
}

const std::vector<std::pair<const char*, NormKind>> kNormKinds = {
    {"layernorm", NormKind::LayerNorm}, {"layernorm_std", NormKind::LayerNormStd},
    {"rmsnorm", NormKind::RMSNorm},     {"batchnorm", NormKind::BatchNorm},
    {"dyt", NormKind::DyT},             {"none", NormKind::None},
};
const std::vector<std::pair<const char*, NormPlacement>> kPlacements = {
    {"post", NormPlacement::Post}, {"pre", NormPlacement::Pre},
    {"sandwich", NormPlacement::Sandwich}, {"deepnorm", NormPlacement::DeepNorm},
};

}  // namespace

class GradCheck : public QObject {
    Q_OBJECT
private slots:
    void linear();
    void attention_data();
    void attention();
    void activation_data();
    void activation();
    void norm_data();
    void norm();
    void embedding();
    void crossEntropy();
    void model_data();
    void model();
};

void GradCheck::linear() {
    const int N = 5, I = 4, O = 3;
    auto x = random_vector(N * I, 1), W = random_vector(O * I, 2), b = random_vector(O, 3);
    report(check_op(
        {&x, &W, &b}, {"x", "W", "b"},
        [&](std::vector<double>& out) {
            out.assign(N * O, 0);
            linear_forward(out.data(), x.data(), W.data(), b.data(), N, I, O, serial());
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            linear_backward(g[0].data(), g[1].data(), g[2].data(), dout.data(), x.data(), W.data(), N, I, O, serial());
        }));
}

void GradCheck::attention_data() {
    QTest::addColumn<bool>("causal");
    QTest::newRow("bidirectional") << false;
    QTest::newRow("causal") << true;
}

void GradCheck::attention() {
    QFETCH(bool, causal);
    const int B = 2, T = 4, D = 6, H = 2;
    auto qkv = random_vector(B * T * 3 * D, 4);
    std::vector<double> att(B * H * T * T), scratch(B * H * T * T);
    report(check_op(
        {&qkv}, {"qkv"},
        [&](std::vector<double>& out) {
            out.assign(B * T * D, 0);
            attention_forward(out.data(), att.data(), qkv.data(), B, T, D, H, causal, serial());
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            attention_backward(g[0].data(), scratch.data(), dout.data(), att.data(), qkv.data(), B, T, D, H, serial());
        }));
    if (causal) {  // no probability on a future key
        for (int bh = 0; bh < B * H; ++bh)
            for (int i = 0; i < T; ++i)
                for (int j = i + 1; j < T; ++j) QCOMPARE(att[(bh * T + i) * T + j], 0.0);
    }
}

void GradCheck::activation_data() {
    QTest::addColumn<Activation>("act");
    QTest::newRow("relu") << Activation::ReLU;
    QTest::newRow("gelu") << Activation::GELU;
}

void GradCheck::activation() {
    QFETCH(Activation, act);
    auto x = random_vector(40, 5);
    for (auto& v : x) if (std::abs(v) < 0.05) v = 0.3;  // keep ReLU's kink out of the differences' reach
    report(check_op(
        {&x}, {"x"},
        [&](std::vector<double>& out) {
            out.assign(x.size(), 0);
            activation_forward(out.data(), x.data(), x.size(), act, serial());
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            activation_backward(g[0].data(), dout.data(), x.data(), x.size(), act, serial());
        }));
}

void GradCheck::norm_data() {
    QTest::addColumn<NormKind>("kind");
    QTest::addColumn<bool>("eval");
    for (auto [name, kind] : kNormKinds) QTest::newRow(name) << kind << false;
    QTest::newRow("batchnorm_eval") << NormKind::BatchNorm << true;
}

void GradCheck::norm() {
    QFETCH(NormKind, kind);
    QFETCH(bool, eval);
    const int N = 6, D = 5;
    auto x = random_vector(N * D, 6, 2.0);
    for (auto& v : x) v += 0.7;  // a non-zero mean, as real activations have
    auto gamma = random_vector(D, 7), beta = random_vector(D, 8), alpha = std::vector<double>{0.8};
    std::vector<double> rmean = random_vector(D, 9), rvar(D);
    for (int d = 0; d < D; ++d) rvar[d] = 0.5 + 0.1 * d;
    NormCache<double> cache;
    std::vector<double> scratch(D);
    auto weights = [&] {
        NormWeights<double> w;
        w.gamma = gamma.data();
        w.beta = beta.data();
        w.alpha = alpha.data();
        w.running_mean = rmean.data();
        w.running_var = rvar.data();
        return w;
    };
    const Mode mode = eval ? Mode::Eval : Mode::TrainNoUpdate;
    report(check_op(
        {&x, &gamma, &beta, &alpha}, {"x", "gamma", "beta", "alpha"},
        [&](std::vector<double>& out) {
            out.assign(N * D, 0);
            norm_forward(out.data(), cache, x.data(), weights(), kind, 1e-5, mode, N, D, serial());
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            NormWeights<double> dw;
            dw.gamma = g[1].data();
            dw.beta = g[2].data();
            dw.alpha = g[3].data();
            norm_backward(g[0].data(), dw, dout.data(), cache, x.data(), weights(), kind, N, D, scratch.data(), serial());
        }));
}

void GradCheck::embedding() {
    const int B = 2, T = 3, D = 4, V = 5;
    const std::vector<std::int32_t> ids = {1, 4, 1, 0, 4, 4};  // repeats: gradients must add
    auto E = random_vector(V * D, 10), P = random_vector(T * D, 11);
    const double s = 2.0;
    report(check_op(
        {&E, &P}, {"E", "P"},
        [&](std::vector<double>& out) {
            out.assign(B * T * D, 0);
            embedding_forward(out.data(), ids.data(), E.data(), P.data(), s, B, T, D, serial());
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            embedding_backward(g[0].data(), g[1].data(), dout.data(), ids.data(), s, B, T, D, serial());
        }));
}

void GradCheck::crossEntropy() {
    const int N = 5, V = 4;
    const std::vector<std::int32_t> targets = {0, 3, kIgnoreIndex, 2, 2};
    auto z = random_vector(N * V, 12, 2.0);
    std::vector<double> probs(N * V), row(N);
    std::vector<std::uint8_t> hit(N);
    LossResult res;
    report(check_op(
        {&z}, {"logits"},
        [&](std::vector<double>& out) {
            res = cross_entropy_forward(probs.data(), row.data(), hit.data(), z.data(), targets.data(), N, V, serial());
            out.assign(1, res.loss);
        },
        [&](const std::vector<double>& dout, std::vector<std::vector<double>>& g) {
            std::vector<double> dz(N * V);
            cross_entropy_backward(dz.data(), probs.data(), targets.data(), res.counted, N, V, serial());
            for (int i = 0; i < N * V; ++i) g[0][i] += dout[0] * dz[i];
        }));
    QCOMPARE(res.counted, std::int64_t(4));
}

// The whole model's check differentiates every parameter element in Release. Under the
// sanitizers (10-20x slower: 8.5 min of a 39-min full run here) every 4th element
// of each tensor, its last included, is checked: every configuration and code path still runs
// under them, and the Release stage has checked every element before.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr std::size_t kElementStride = 4;
#else
constexpr std::size_t kElementStride = 1;
#endif

void GradCheck::model_data() {
    QTest::addColumn<NormKind>("kind");
    QTest::addColumn<NormPlacement>("placement");
    QTest::addColumn<bool>("residual");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<bool>("embeddingNorm");
    QTest::addColumn<double>("dropout");
    QTest::addColumn<int>("seqLen");
    QTest::addColumn<int>("batch");
    // seqLen 4 divides the product tiles: attention runs inside the q/k/v and context-gradient
    // tiles, and backward runs each block row-chained but with BatchNorm and DyT (the path of
    // every built-in model); seqLen 5 does not: attention in its own loop, every operation of
    // backward over all rows in turn.
    for (auto [kn, kind] : kNormKinds)
        for (auto [pn, placement] : kPlacements)
            for (bool residual : {true, false})
                for (bool causal : {false, true})
                    for (bool emb : {false, true}) {
                        const QString row = QString("%1/%2/%3/%4/%5")
                                                .arg(kn, pn, residual ? "res" : "nores", causal ? "causal" : "bidir",
                                                     emb ? "embnorm" : "noembnorm");
                        QTest::newRow(row.toUtf8().constData())
                            << kind << placement << residual << causal << emb << 0.0 << 4 << 3;
                    }
    for (auto [kn, kind] : kNormKinds)
        for (auto [pn, placement] : kPlacements) {
            const QString row = QString("%1/%2/res/causal/embnorm/T5").arg(kn, pn);
            QTest::newRow(row.toUtf8().constData()) << kind << placement << true << true << true << 0.0 << 5 << 3;
        }
    // 20 sequences: 80 rows (two product tiles of 48) or 100 (two of 64), so each linear layer's
    // weight gradient is summed in two halves of the rows, the second folded in after backward.
    for (auto [kn, kind] : kNormKinds)
        for (auto [pn, placement] : kPlacements)
            for (int seq : {4, 5}) {
                const QString row = QString("%1/%2/res/causal/embnorm/T%3/B20").arg(kn, pn).arg(seq);
                QTest::newRow(row.toUtf8().constData()) << kind << placement << true << true << true << 0.0 << seq << 20;
            }
    // Dropout: a fixed mask (same seed and step) is part of the function being differentiated.
    QTest::newRow("layernorm/post/dropout") << NormKind::LayerNorm << NormPlacement::Post << true << false << false << 0.2 << 4 << 3;
    QTest::newRow("rmsnorm/sandwich/dropout") << NormKind::RMSNorm << NormPlacement::Sandwich << true << true << true << 0.2 << 5 << 3;
    QTest::newRow("layernorm/pre/dropout") << NormKind::LayerNorm << NormPlacement::Pre << true << true << false << 0.2 << 4 << 3;
    QTest::newRow("rmsnorm/sandwich/dropout/T4") << NormKind::RMSNorm << NormPlacement::Sandwich << true << false << true << 0.2 << 4 << 3;
}

void GradCheck::model() {
    QFETCH(NormKind, kind);
    QFETCH(NormPlacement, placement);
    QFETCH(bool, residual);
    QFETCH(bool, causal);
    QFETCH(bool, embeddingNorm);
    QFETCH(double, dropout);
    QFETCH(int, seqLen);
    QFETCH(int, batch);
    ModelConfig cfg;
    cfg.layers = 2;
    cfg.d_model = 8;
    cfg.heads = 2;
    cfg.d_ff = 12;
    cfg.vocab = 7;
    cfg.max_len = 6;
    cfg.norm = kind;
    cfg.placement = placement;
    cfg.residual = residual;
    cfg.causal = causal;
    cfg.embedding_norm = embeddingNorm;
    cfg.final_norm = true;  // exercised here; "auto" is tested with the config
    cfg.activation = Activation::GELU;  // smooth: finite differences cannot straddle a kink
    cfg.dropout = dropout;
    const int B = batch, T = seqLen;
    Model<double> m(cfg, serial());
    m.init(42);
    // Move every weight off its initial value so that gains, biases and alpha are generic.
    ns::Rng rng(7);
    for (auto& p : m.params()) p += 0.1 * rng.normal();
    std::vector<std::int32_t> ids(B * T), targets(B * T);
    for (int i = 0; i < B * T; ++i) {
        ids[i] = static_cast<std::int32_t>(rng.below(cfg.vocab));
        targets[i] = i % 4 == 3 ? kIgnoreIndex : static_cast<std::int32_t>(rng.below(cfg.vocab));
    }
    ForwardOptions opt;
    opt.mode = Mode::TrainNoUpdate;
    opt.dropout_seed = 5;
    opt.step = 3;
    m.zero_grad();
    m.forward(ids.data(), targets.data(), B, T, opt);
    m.backward();
    QCOMPARE(m.weight_grad_split(), batch == 20 ? (T == 4 ? 48 : 64) : 0);
    const std::vector<double> analytic = m.grads();
    auto loss = [&] { return m.forward(ids.data(), targets.data(), B, T, opt).loss; };
    Worst worst;
    decltype(worst.checked) expected = 0;
    for (const ParamInfo& t : m.tensors()) {
        if (t.is_buffer) continue;
        for (std::size_t i = 0; i < t.size; ++i) {
            if (i % kElementStride != 0 && i + 1 != t.size) continue;
            const double num = nstest::central_difference(m.params()[t.offset + i], loss);
            worst.consider(analytic[t.offset + i], num, t.name + "[" + std::to_string(i) + "]");
            ++expected;
        }
    }
    QCOMPARE(worst.checked, expected);
    if (kElementStride == 1) QCOMPARE(worst.checked, m.num_params());
    report(worst);
}

QTEST_APPLESS_MAIN(GradCheck)
#include "tst_engine_gradcheck.moc"
