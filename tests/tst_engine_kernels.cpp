// Each fast kernel of engine/kernels.h against its plain reference (engine/kernels_reference.h),
// in double precision, on shapes that are not multiples of the tiles, with 1 and 2 threads; and
// the float linear layers, which on AVX-512 go through engine/gemm.h, against the same references.
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <stdexcept>
#include <string>
#include <utility>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels.h"
#include "engine/kernels_reference.h"

using namespace ns;
using V = std::vector<double>;

namespace {

V random(std::size_t n, std::uint32_t seed, double scale = 1.0) {
    std::mt19937 g(seed);
    std::normal_distribution<double> d(0.0, scale);
    V v(n);
    for (double& x : v) x = d(g);
    return v;
}

// max |a - b| / max(1, max |b|)
double rel(const V& a, const V& b) {
    double err = 0, mag = 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        err = std::max(err, std::abs(a[i] - b[i]));
        mag = std::max(mag, std::abs(b[i]));
    }
    return err / mag;
}

constexpr double kTol = 1e-12;

}  // namespace

class KernelsTest : public QObject {
    Q_OBJECT
private slots:
    void linear_data();
    void linear();
    void attention_data();
    void attention();
    void rowNorms_data();
    void rowNorms();
    void crossEntropy();
    void floatLinear_data();
    void floatLinear();
    void gemmPackedMatchesInPlace_data();
    void gemmPackedMatchesInPlace();
    void floatAttention_data();
    void floatAttention();
    void homedTasksRunOnce_data();
    void homedTasksRunOnce();
    void homedTasksStopAfterThrow();
};

void KernelsTest::linear_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("I");
    QTest::addColumn<int>("O");
    QTest::addColumn<bool>("assign");
    // I > O: the weight gradient is cut by input columns; O > I: by output rows.
    QTest::newRow("1 thread, I > O") << 1 << 70 << 67 << false;
    QTest::newRow("2 threads, I > O") << 2 << 70 << 67 << false;
    QTest::newRow("1 thread, O > I") << 1 << 67 << 70 << false;
    QTest::newRow("2 threads, O > I, assign") << 2 << 67 << 70 << true;
    QTest::newRow("2 threads, O >> I") << 2 << 24 << 200 << false;
}

void KernelsTest::linear() {
    QFETCH(int, threads);
    QFETCH(int, I);
    QFETCH(int, O);
    QFETCH(bool, assign);
    const Parallel par(threads);
    const int N = 131;  // 131 rows: three tiles, the last one short
    const V x = random(N * I, 1), W = random(O * I, 2), b = random(O, 3), dy = random(N * O, 4);
    V y(N * O), y_ref(N * O);
    linear_forward(y.data(), x.data(), W.data(), b.data(), N, I, O, par);
    reference::linear_forward_reference(y_ref.data(), x.data(), W.data(), b.data(), N, I, O);
    QVERIFY2(rel(y, y_ref) < kTol, qPrintable(QString::number(rel(y, y_ref))));
    V dx(N * I, 0.5), dW(O * I, 0.25), db(O, 0.125);  // backward adds: start from non-zero
    V dx_ref = dx, dW_ref = dW, db_ref = db;
    if (assign) std::fill(dx_ref.begin(), dx_ref.end(), 0.0);  // assign: dx is overwritten
    linear_backward(dx.data(), dW.data(), db.data(), dy.data(), x.data(), W.data(), N, I, O, par, assign);
    reference::linear_backward_reference(dx_ref.data(), dW_ref.data(), db_ref.data(), dy.data(), x.data(), W.data(), N, I, O);
    QVERIFY(rel(dx, dx_ref) < kTol);
    QVERIFY(rel(dW, dW_ref) < kTol);
    QVERIFY(rel(db, db_ref) < kTol);
    // The weight gradient cut in two halves of the rows at 64, the second written into part and
    // part_b (dirty before: written, not added to), then added in.
    V dW2(O * I, 0.25), db2(O, 0.125), pw(O * I, 9.0), pb(O, 9.0);
    linear_backward(static_cast<double*>(nullptr), dW2.data(), db2.data(), dy.data(), x.data(), W.data(), N, I, O, par,
                    false, NoEpilogue{}, 0, GradHalf<double>{pw.data(), pb.data(), 64});
    for (std::size_t i = 0; i < dW2.size(); ++i) dW2[i] += pw[i];
    for (int o = 0; o < O; ++o) db2[o] += pb[o];
    QVERIFY(rel(dW2, dW_ref) < kTol);
    QVERIFY(rel(db2, db_ref) < kTol);
}

void KernelsTest::attention_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<bool>("causal");
    QTest::newRow("1 thread") << 1 << false;
    QTest::newRow("2 threads, causal") << 2 << true;
    QTest::newRow("1 thread, causal") << 1 << true;
}

void KernelsTest::attention() {
    QFETCH(int, threads);
    QFETCH(bool, causal);
    const Parallel par(threads);
    const int B = 3, Tn = 7, D = 12, H = 3, N = B * Tn;
    const V qkv = random(N * 3 * D, 5), dctx = random(N * D, 6);
    V ctx(N * D), att(B * H * Tn * Tn), ctx_ref(N * D), att_ref(B * H * Tn * Tn);
    attention_forward(ctx.data(), att.data(), qkv.data(), B, Tn, D, H, causal, par);
    reference::attention_forward_reference(ctx_ref.data(), att_ref.data(), qkv.data(), B, Tn, D, H, causal);
    QVERIFY(rel(ctx, ctx_ref) < kTol);
    QVERIFY(rel(att, att_ref) < kTol);
    V dqkv(N * 3 * D, 0.5), scratch(B * H * Tn * Tn);
    V dqkv_ref = dqkv;
    attention_backward(dqkv.data(), scratch.data(), dctx.data(), att.data(), qkv.data(), B, Tn, D, H, par);
    reference::attention_backward_reference(dqkv_ref.data(), dctx.data(), att_ref.data(), qkv.data(), B, Tn, D, H);
    QVERIFY2(rel(dqkv, dqkv_ref) < kTol, qPrintable(QString::number(rel(dqkv, dqkv_ref))));
}

void KernelsTest::rowNorms_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("threads");
    QTest::newRow("layernorm, 1 thread") << int(NormKind::LayerNorm) << 1;
    QTest::newRow("layernorm, 2 threads") << int(NormKind::LayerNorm) << 2;
    QTest::newRow("rmsnorm, 1 thread") << int(NormKind::RMSNorm) << 1;
    QTest::newRow("rmsnorm, 2 threads") << int(NormKind::RMSNorm) << 2;
}

void KernelsTest::rowNorms() {
    QFETCH(int, kind);
    QFETCH(int, threads);
    const NormKind k = NormKind(kind);
    const Parallel par(threads);
    const int N = 70, D = 33;
    const double eps = 1e-5;
    V x = random(N * D, 7, 2.0), g = random(D, 8), b = random(D, 9), dy = random(N * D, 10);
    for (int n = 0; n < N; ++n) x[n * D] += 3.0;  // rows with a non-zero mean
    NormWeights<double> w;
    w.gamma = g.data();
    if (k != NormKind::RMSNorm) w.beta = b.data();
    NormCache<double> cache;
    V y(N * D), y_ref(N * D);
    norm_forward(y.data(), cache, x.data(), w, k, eps, Mode::Train, N, D, par);
    reference::row_norm_forward_reference(y_ref.data(), x.data(), g.data(), w.beta, k, eps, N, D);
    QVERIFY(rel(y, y_ref) < kTol);
    V dx(N * D, 0.5), dg(D, 0.25), db(D, 0.125), scratch(D);
    V dx_ref = dx, dg_ref = dg, db_ref = db;
    NormWeights<double> dw;
    dw.gamma = dg.data();
    if (k != NormKind::RMSNorm) dw.beta = db.data();
    norm_backward(dx.data(), dw, dy.data(), cache, x.data(), w, k, N, D, scratch.data(), par);
    reference::row_norm_backward_reference(dx_ref.data(), dg_ref.data(), k != NormKind::RMSNorm ? db_ref.data() : nullptr,
                                           dy.data(), x.data(), g.data(), k, eps, N, D);
    QVERIFY2(rel(dx, dx_ref) < kTol, qPrintable(QString::number(rel(dx, dx_ref))));
    QVERIFY(rel(dg, dg_ref) < kTol);
    QVERIFY(rel(db, db_ref) < kTol);
}

void KernelsTest::crossEntropy() {
    const Parallel par(2);
    const int N = 75, Vn = 11;
    const V z = random(N * Vn, 11, 3.0);
    std::vector<std::int32_t> t(N);
    for (int n = 0; n < N; ++n) t[n] = n % 7 == 3 ? kIgnoreIndex : (n * 5) % Vn;
    V probs(N * Vn), d(N * Vn), d_ref(N * Vn);
    std::vector<double> row_loss(N);
    std::vector<std::uint8_t> hit(N);
    const LossResult r = cross_entropy_forward(probs.data(), row_loss.data(), hit.data(), z.data(), t.data(), N, Vn, par);
    cross_entropy_backward(d.data(), probs.data(), t.data(), r.counted, N, Vn, par);
    const double loss_ref = reference::cross_entropy_reference(d_ref.data(), z.data(), t.data(), N, Vn);
    QVERIFY(std::abs(r.loss - loss_ref) < kTol * std::max(1.0, loss_ref));
    QVERIFY(rel(d, d_ref) < kTol);
}

void KernelsTest::floatLinear_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("I");
    QTest::addColumn<int>("O");
    // Rows not a multiple of the 12-row blocks, columns not a multiple of 32 (masked), k longer
    // than one 256 pass, and the weight gradient cut both ways.
    QTest::newRow("tiny") << 1 << 5 << 3 << 7;
    QTest::newRow("odd, I > O") << 2 << 131 << 70 << 67;
    QTest::newRow("odd, O > I") << 2 << 131 << 67 << 70;
    QTest::newRow("k over 256") << 2 << 300 << 520 << 45;
    QTest::newRow("tails of 18 and 26 columns") << 2 << 77 << 90 << 50;
    QTest::newRow("lesson FFN") << 1 << 512 << 64 << 256;
}

void KernelsTest::floatLinear() {
    QFETCH(int, threads);
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    if (!kHaveFastGemm) QSKIP("built without AVX-512: float products use Eigen, covered by the tests above");
    const Parallel par(threads);
    const V x = random(static_cast<std::size_t>(N) * I, 21), W = random(static_cast<std::size_t>(O) * I, 22),
            b = random(O, 23), dy = random(static_cast<std::size_t>(N) * O, 24);
    const auto to_f = [](const V& v) { return std::vector<float>(v.begin(), v.end()); };
    const auto to_d = [](const std::vector<float>& v) { return V(v.begin(), v.end()); };
    // References in double on the float inputs.
    const V xr = to_d(to_f(x)), Wr = to_d(to_f(W)), br = to_d(to_f(b)), dyr = to_d(to_f(dy));
    V y_ref(static_cast<std::size_t>(N) * O);
    reference::linear_forward_reference(y_ref.data(), xr.data(), Wr.data(), br.data(), N, I, O);
    V dx_ref(static_cast<std::size_t>(N) * I, 0.5), dW_ref(static_cast<std::size_t>(O) * I, 0.25), db_ref(O, 0.125);
    reference::linear_backward_reference(dx_ref.data(), dW_ref.data(), db_ref.data(), dyr.data(), xr.data(), Wr.data(),
                                         N, I, O);
    std::vector<float> xf = to_f(x), Wf = to_f(W), bf = to_f(b), dyf = to_f(dy);
    std::vector<float> y(static_cast<std::size_t>(N) * O), wt(static_cast<std::size_t>(O) * I);
    transpose_rows(wt.data(), Wf.data(), O, I, 0, I);
    linear_forward(y.data(), xf.data(), Wf.data(), bf.data(), N, I, O, par, NoEpilogue{}, wt.data());
    // without a bias: the product alone (C starts from zeros, whatever it held)
    std::vector<float> y0(static_cast<std::size_t>(N) * O, 7.0f);
    linear_forward(y0.data(), xf.data(), Wf.data(), static_cast<const float*>(nullptr), N, I, O, par, NoEpilogue{},
                   wt.data());
    V y0_ref = y_ref;
    for (std::size_t i = 0; i < y0_ref.size(); ++i) y0_ref[i] -= br[i % O];
    std::vector<float> dx(static_cast<std::size_t>(N) * I, 0.5f), dW(static_cast<std::size_t>(O) * I, 0.25f), db(O, 0.125f);
    linear_backward(dx.data(), dW.data(), db.data(), dyf.data(), xf.data(), Wf.data(), N, I, O, par);
    // float sums of up to 520 terms of order 1: relative error well under 1e-5 of the largest value
    constexpr double kFloatTol = 2e-6;
    QVERIFY2(rel(to_d(y), y_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(y), y_ref))));
    QVERIFY2(rel(to_d(y0), y0_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(y0), y0_ref))));
    QVERIFY2(rel(to_d(dx), dx_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dx), dx_ref))));
    QVERIFY2(rel(to_d(dW), dW_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dW), dW_ref))));
    QVERIFY2(rel(to_d(db), db_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(db), db_ref))));
    // assign: dx is the gradient alone
    std::vector<float> dx2(static_cast<std::size_t>(N) * I, 7.0f), dW2(static_cast<std::size_t>(O) * I, 0.25f);
    linear_backward(dx2.data(), dW2.data(), static_cast<float*>(nullptr), dyf.data(), xf.data(), Wf.data(), N, I, O, par, true);
    V dx2_ref = dx_ref;
    for (double& v : dx2_ref) v -= 0.5;
    QVERIFY2(rel(to_d(dx2), dx2_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dx2), dx2_ref))));
    QVERIFY(to_d(dW2) == to_d(dW));  // the same sums in the same order
    // Cut in two halves of the rows (as on small models): the second half is written into part
    // and part_b (which start dirty: written, not added to), then added in.
    const int split = N / 2;
    std::vector<float> dW3(static_cast<std::size_t>(O) * I, 0.25f), db3(O, 0.125f);
    std::vector<float> pw(static_cast<std::size_t>(O) * I, 9.0f), pb(O, 9.0f);
    linear_backward(static_cast<float*>(nullptr), dW3.data(), db3.data(), dyf.data(), xf.data(), Wf.data(), N, I, O,
                    par, false, NoEpilogue{}, 0, GradHalf<float>{pw.data(), pb.data(), split});
    for (std::size_t i = 0; i < dW3.size(); ++i) dW3[i] += pw[i];
    for (int o = 0; o < O; ++o) db3[o] += pb[o];
    QVERIFY2(rel(to_d(dW3), dW_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dW3), dW_ref))));
    QVERIFY2(rel(to_d(db3), db_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(db3), db_ref))));
}

void KernelsTest::gemmPackedMatchesInPlace_data() {
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<bool>("transposedA");
    QTest::addColumn<int>("ld");  // A's row stride (its column stride when transposed), and B's
    // Slabs of 256 rows and a tail, k passes with a tail that is not a multiple of 16, columns
    // masked, tails of 12-row blocks; row-major A (packed by transposing 16 x 16 blocks) and A
    // read across rows (the weight gradient's dout^T).
    QTest::newRow("row-major A, 300 rows, k 300") << 300 << 70 << 300 << false << 310;
    QTest::newRow("row-major A, 50 rows, k 128, 33 columns") << 50 << 33 << 128 << false << 256;
    QTest::newRow("dout^T, 100 rows, k 520") << 100 << 64 << 520 << true << 310;
    QTest::newRow("dout^T, 270 rows, k 1030, 90 columns") << 270 << 90 << 1030 << true << 1024;
}

// The packed product (engine/gemm.h) gives every element of C the bits the product that reads its
// operands in place gives it: the same k terms summed in the same order.
void KernelsTest::gemmPackedMatchesInPlace() {
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(bool, transposedA);
    QFETCH(int, ld);
    if (!kHaveFastGemm) QSKIP("built without AVX-512: float products use Eigen");
#if defined(__AVX512F__)
    namespace g = gemm_detail;
    const std::ptrdiff_t am = transposedA ? 1 : ld, ak = transposedA ? ld : 1;
    QVERIFY(g::pack_a(M, N, K, am, ak));  // else this test would compare the in-place product with itself
    QVERIFY(g::pack_b(M, N, K, ld));
    const auto to_f = [](const V& v) { return std::vector<float>(v.begin(), v.end()); };
    const std::vector<float> A = to_f(random(static_cast<std::size_t>(transposedA ? K : M) * ld, 31)),
                             B = to_f(random(static_cast<std::size_t>(K) * ld, 32)),
                             row = to_f(random(static_cast<std::size_t>(N), 33)),
                             C0 = to_f(random(static_cast<std::size_t>(M) * (N + 5), 34));
    for (const g::Start start : {g::Start::C, g::Start::Zero, g::Start::Row}) {
        std::vector<float> packed = C0, in_place = C0;
        const float* r = start == g::Start::Row ? row.data() : nullptr;
        g::product(M, N, K, A.data(), am, ak, B.data(), ld, packed.data(), N + 5, start, r);
        g::product_in_place(M, N, K, A.data(), am, ak, B.data(), ld, in_place.data(), N + 5, start, r);
        QVERIFY(std::memcmp(packed.data(), in_place.data(), packed.size() * sizeof(float)) == 0);
        QVERIFY(packed != C0);
    }
#endif
}

void KernelsTest::floatAttention_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("Tn");
    QTest::addColumn<int>("D");
    QTest::addColumn<int>("H");
    QTest::addColumn<bool>("causal");
    // Full 16-lane rows and short ones; heads of 16 features, of a masked tail, of several
    // 16-wide chunks; one position (a softmax of one key).
    QTest::newRow("lesson shape") << 2 << 16 << 64 << 4 << false;
    QTest::newRow("lesson shape, causal") << 1 << 16 << 64 << 4 << true;
    QTest::newRow("7 positions, heads of 20") << 2 << 7 << 60 << 3 << false;
    QTest::newRow("11 positions, heads of 40, causal") << 2 << 11 << 80 << 2 << true;
    QTest::newRow("1 position") << 1 << 1 << 12 << 3 << true;
    // Longer sequences (the product-based kernel): configs S and M, and lengths and heads that
    // leave partial 16-lane chunks and register blocks.
    QTest::newRow("config S shape") << 2 << 32 << 128 << 4 << false;
    QTest::newRow("config M shape, causal") << 2 << 64 << 256 << 8 << true;
    QTest::newRow("17 positions, heads of 20, causal") << 1 << 17 << 60 << 3 << true;
    QTest::newRow("37 positions, heads of 40") << 2 << 37 << 80 << 2 << false;
}

// The float attention (engine/attention_fast.h on AVX-512, the Eigen version elsewhere) against the double references, forward and backward, adding and assigning.
void KernelsTest::floatAttention() {
    QFETCH(int, threads);
    QFETCH(int, Tn);
    QFETCH(int, D);
    QFETCH(int, H);
    QFETCH(bool, causal);
    const Parallel par(threads);
    const int B = 3, N = B * Tn;
    const auto to_f = [](const V& v) { return std::vector<float>(v.begin(), v.end()); };
    const auto to_d = [](const std::vector<float>& v) { return V(v.begin(), v.end()); };
    const V qkv = to_d(to_f(random(static_cast<std::size_t>(N) * 3 * D, 31))),
            dctx = to_d(to_f(random(static_cast<std::size_t>(N) * D, 32)));
    const std::size_t natt = static_cast<std::size_t>(B) * H * Tn * Tn;
    V ctx_ref(static_cast<std::size_t>(N) * D), att_ref(natt), dqkv_ref(static_cast<std::size_t>(N) * 3 * D, 0.5);
    reference::attention_forward_reference(ctx_ref.data(), att_ref.data(), qkv.data(), B, Tn, D, H, causal);
    reference::attention_backward_reference(dqkv_ref.data(), dctx.data(), att_ref.data(), qkv.data(), B, Tn, D, H);
    const std::vector<float> qkvf = to_f(qkv), dctxf = to_f(dctx);
    std::vector<float> ctx(static_cast<std::size_t>(N) * D, 9.0f), att(natt, 9.0f), scratch(natt),
        dqkv(static_cast<std::size_t>(N) * 3 * D, 0.5f);
    attention_forward(ctx.data(), att.data(), qkvf.data(), B, Tn, D, H, causal, par);
    attention_backward(dqkv.data(), scratch.data(), dctxf.data(), att.data(), qkvf.data(), B, Tn, D, H, par);
    constexpr double kFloatTol = 2e-6;
    QVERIFY2(rel(to_d(ctx), ctx_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(ctx), ctx_ref))));
    QVERIFY2(rel(to_d(att), att_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(att), att_ref))));
    QVERIFY2(rel(to_d(dqkv), dqkv_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dqkv), dqkv_ref))));
    // assign: the gradient alone
    std::vector<float> dqkv2(dqkv.size(), 7.0f);
    attention_backward(dqkv2.data(), scratch.data(), dctxf.data(), att.data(), qkvf.data(), B, Tn, D, H, par, true);
    V dqkv2_ref = dqkv_ref;
    for (double& v : dqkv2_ref) v -= 0.5;
    QVERIFY2(rel(to_d(dqkv2), dqkv2_ref) < kFloatTol, qPrintable(QString::number(rel(to_d(dqkv2), dqkv2_ref))));
}

void KernelsTest::homedTasksRunOnce_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("na");
    QTest::addColumn<int>("nb");
    // 4 and 70 threads on this machine: arena slots beyond the threads that run, and more slots
    // than homes (at most 64).
    for (int threads : {1, 2, 3, 4, 70})
        for (const auto& [na, nb] : std::vector<std::pair<int, int>>{{1, 0}, {0, 1}, {5, 0}, {0, 7}, {11, 13}, {100, 3}, {2, 1}})
            QTest::addRow("%d threads, %d + %d tasks", threads, na, nb) << threads << na << nb;
}

// Parallel::for_each_homed runs every task exactly once, whoever's home it is in and whoever
// takes it, also inside another loop on the same Parallel (the trainer's runs); a task that
// throws stops the loop (the tasks still waiting are not started) and its exception reaches the
// caller.
void KernelsTest::homedTasksRunOnce() {
    QFETCH(int, threads);
    QFETCH(int, na);
    QFETCH(int, nb);
    const Parallel par(threads);
    const std::size_t n = static_cast<std::size_t>(na + nb);
    const auto run_all = [&](std::vector<std::atomic<int>>& runs, std::atomic<int>& outside) {
        par.for_each_homed(na, nb, [&](std::size_t i) {
            if (i >= n) return void(outside.fetch_add(1));
            runs[i].fetch_add(1);
            for (volatile int spin = 0; spin < static_cast<int>(i % 7) * 200; ++spin) {
            }
        });
    };
    for (int round = 0; round < 50; ++round) {
        std::vector<std::atomic<int>> runs(n);
        std::atomic<int> outside{0};
        run_all(runs, outside);
        QCOMPARE(outside.load(), 0);
        for (std::size_t i = 0; i < n; ++i) QCOMPARE(runs[i].load(), 1);
    }
    {  // nested: three outer tasks, each running the whole inner loop
        std::vector<std::vector<std::atomic<int>>> runs(3);
        for (auto& r : runs) r = std::vector<std::atomic<int>>(n);
        std::atomic<int> outside{0};
        par.for_each_homed(2, 1, [&](std::size_t o) { run_all(runs[o], outside); });
        QCOMPARE(outside.load(), 0);
        for (const auto& r : runs)
            for (std::size_t i = 0; i < n; ++i) QCOMPARE(r[i].load(), 1);
    }
    std::vector<std::atomic<int>> runs(n);
    bool thrown = false;
    try {
        par.for_each_homed(na, nb, [&](std::size_t i) {
            runs[i].fetch_add(1);
            if (i == n / 2) throw std::runtime_error("task failed");
        });
    } catch (const std::runtime_error& e) {
        thrown = std::string(e.what()) == "task failed";
    }
    QVERIFY(thrown);
    QCOMPARE(runs[n / 2].load(), 1);
    for (std::size_t i = 0; i < n; ++i) QVERIFY(runs[i].load() <= 1);
}

// After a task throws, the other threads start no new task: task 0 (the caller's first) throws
// once another thread has begun its tasks, each of which takes 100 us, so far fewer than all of
// them run.
void KernelsTest::homedTasksStopAfterThrow() {
    const Parallel par(2);
    constexpr std::size_t n = 1000;
    std::atomic<int> ran{0};
    bool thrown = false;
    try {
        par.for_each_homed(n, 0, [&](std::size_t i) {
            ran.fetch_add(1);
            if (i == 0) {
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
                while (ran.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
                throw std::runtime_error("task failed");
            }
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        });
    } catch (const std::runtime_error&) {
        thrown = true;
    }
    QVERIFY(thrown);
    QVERIFY2(ran.load() >= 2, "the second thread never started a task");
    QVERIFY2(ran.load() < static_cast<int>(n) / 2, qPrintable(QString::number(ran.load())));
}

QTEST_APPLESS_MAIN(KernelsTest)
#include "tst_engine_kernels.moc"
