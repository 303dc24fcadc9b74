// The engine's files: experiment JSON (parse, defaults, overrides, validation, round trip) and safetensors.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstring>
#include <fstream>

#include "engine/config.h"
#include "engine/model.h"
#include "engine/report.h"
#include "engine/safetensors.h"
#include "engine/tasks.h"

using nlohmann::json;

namespace {

#ifndef NS_TEST_DATA_DIR
#define NS_TEST_DATA_DIR "data"
#endif

QString data_dir() { return QStringLiteral(NS_TEST_DATA_DIR); }

// Every field of the structs, compared exactly (doubles included: the round trip must be exact).
QStringList differences(const ns::ModelConfig& a, const ns::ModelConfig& b, const QString& where) {
    QStringList d;
#define NS_FIELD(f) \
    if (!(a.f == b.f)) d << where + "." #f;
    NS_FIELD(layers) NS_FIELD(d_model) NS_FIELD(heads) NS_FIELD(d_ff) NS_FIELD(vocab) NS_FIELD(max_len)
    NS_FIELD(norm) NS_FIELD(placement) NS_FIELD(final_norm) NS_FIELD(embedding_norm) NS_FIELD(residual)
    NS_FIELD(positional) NS_FIELD(embedding_scale_sqrt_d) NS_FIELD(activation) NS_FIELD(eps) NS_FIELD(causal)
    NS_FIELD(dropout) NS_FIELD(init) NS_FIELD(dyt_alpha)
    return d;
}

QStringList differences(const ns::TrainConfig& a, const ns::TrainConfig& b, const QString& where) {
    QStringList d;
    NS_FIELD(task) NS_FIELD(text_file) NS_FIELD(seq_len) NS_FIELD(batch) NS_FIELD(steps) NS_FIELD(seed)
    NS_FIELD(optimizer) NS_FIELD(lr) NS_FIELD(beta1) NS_FIELD(beta2) NS_FIELD(adam_eps) NS_FIELD(momentum)
    NS_FIELD(weight_decay) NS_FIELD(warmup) NS_FIELD(schedule) NS_FIELD(min_lr_ratio) NS_FIELD(clip)
    NS_FIELD(eval_every) NS_FIELD(probe_every) NS_FIELD(val_batches)
    return d;
}

QStringList differences(const ns::Experiment& a, const ns::Experiment& b) {
    QStringList d;
    if (a.name != b.name) d << "name";
    d << differences(a.model, b.model, "model") << differences(a.train, b.train, "train");
    if (a.runs.size() != b.runs.size()) return d << "runs.size";
    for (std::size_t i = 0; i < a.runs.size(); ++i) {
        const QString where = QString("runs[%1]").arg(i);
        if (a.runs[i].name != b.runs[i].name) d << where + ".name";
        if (a.runs[i].model_overrides != b.runs[i].model_overrides) d << where + ".model_overrides";
        if (a.runs[i].train_overrides != b.runs[i].train_overrides) d << where + ".train_overrides";
        d << differences(a.runs[i].model, b.runs[i].model, where + ".model")
          << differences(a.runs[i].train, b.runs[i].train, where + ".train");
    }
#undef NS_FIELD
    return d;
}

// A small valid experiment; the bad-experiment rows change it with a JSON merge patch (RFC 7386).
const char* kSmallExperiment = R"({
  "format": "normscope-experiment", "version": 1, "name": "small",
  "model": { "layers": 2, "d_model": 16, "heads": 2, "d_ff": 32, "vocab": 16, "max_len": 8 },
  "train": { "seq_len": 8, "batch": 4, "steps": 10 },
  "runs": [ { "name": "A", "model": { "placement": "post" } },
            { "name": "B", "model": { "placement": "pre" } } ]
})";

// Uses every enum value (and both final_norm spellings) somewhere, and doubles that need all 17 digits.
const char* kRichExperiment = R"({
  "format": "normscope-experiment", "version": 1, "name": "Every option, once",
  "model": { "layers": 3, "d_model": 24, "heads": 3, "d_ff": 40, "vocab": 20, "max_len": 12,
             "norm": "layernorm", "placement": "post", "final_norm": "auto", "embedding_norm": false,
             "residual": true, "positional": "learned", "embedding_scale": "none", "activation": "relu",
             "eps": 1e-6, "causal": false, "dropout": 0.1, "init": "xavier", "dyt_alpha": 0.5 },
  "train": { "task": "reverse", "seq_len": 10, "batch": 5, "steps": 7, "seed": 12345,
             "optimizer": "sgd", "lr": 0.30000000000000004, "betas": [0.9, 0.98], "adam_eps": 1e-9,
             "momentum": 0.8, "weight_decay": 0.01, "warmup": 3, "schedule": "constant",
             "min_lr_ratio": 0.05, "clip": 1.5, "eval_every": 2, "probe_every": 3, "val_batches": 2 },
  "runs": [
    { "name": "LayerNorm std, pre",
      "model": { "norm": "layernorm_std", "placement": "pre", "final_norm": true, "positional": "sinusoidal",
                 "embedding_scale": "sqrt_d", "activation": "gelu", "init": "torch" },
      "train": { "task": "sort", "optimizer": "adam", "schedule": "linear", "seed": 18446744073709551615,
                 "betas": [0.8, 0.999] } },
    { "name": "RMSNorm sandwich",
      "model": { "norm": "rmsnorm", "placement": "sandwich", "final_norm": false, "positional": "none" },
      "train": { "task": "copy", "optimizer": "adamw", "schedule": "cosine", "min_lr_ratio": 0.1 } },
    { "name": "BatchNorm deepnorm",
      "model": { "norm": "batchnorm", "placement": "deepnorm", "layers": 4.0 },
      "train": { "task": "histogram", "schedule": "inverse_sqrt" } },
    { "name": "DyT text",
      "model": { "norm": "dyt", "dyt_alpha": 0.7000000000000001, "causal": true },
      "train": { "task": "text", "text_file": "corpus.txt" } },
    { "name": "No norm, no residual",
      "model": { "norm": "none", "residual": false, "embedding_norm": true, "final_norm": "auto" } }
  ]
})";

json small_with(const QByteArray& patch) {
    json j = json::parse(kSmallExperiment);
    j.merge_patch(json::parse(patch.toStdString()));
    return j;
}

// Runs `f`, expecting a ConfigError; returns it (or fails the test).
template <class F>
std::optional<ns::ConfigError> config_error(F&& f) {
    try {
        f();
    } catch (const ns::ConfigError& e) {
        return e;
    } catch (const std::exception& e) {
        qWarning("unexpected exception: %s", e.what());
        return std::nullopt;
    }
    return std::nullopt;
}

// ---- safetensors helpers

QByteArray file_bytes(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

QByteArray with_length(quint64 header_length, const QByteArray& rest) {
    QByteArray out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = char((header_length >> (8 * i)) & 0xFF);
    return out + rest;
}

// A file with the given header text (its real length) followed by `data_bytes` zero bytes.
QByteArray safetensors_bytes(const QByteArray& header, int data_bytes) {
    return with_length(quint64(header.size()), header + QByteArray(data_bytes, '\0'));
}

std::vector<ns::Tensor> sample_tensors() {
    const float f32[6] = {1.0f, -2.5f, 3.25f, 1e-30f, -0.0f, 65504.0f};
    const double f64_values[3] = {0.1, -1e300, 2.0 / 3.0};
    const std::int64_t i64[4] = {-100, 0, 7, std::numeric_limits<std::int64_t>::max()};
    const float scalar = 2.75f;
    ns::Tensor f64;
    f64.name = "f64.values";
    f64.dtype = ns::DType::F64;
    f64.shape = {3};
    f64.data.resize(sizeof f64_values);
    std::memcpy(f64.data.data(), f64_values, sizeof f64_values);
    // Deliberately not in name order: the file is written in name order regardless.
    return {ns::Tensor::f32("layers.0.linear1.weight", {2, 3}, f32),
            f64,
            ns::Tensor::i64("input_ids", {2, 2}, i64),
            ns::Tensor::f32("loss", {}, &scalar),
            ns::Tensor::f32("empty", {0, 3}, nullptr)};
}

}  // namespace

class TestEngineFiles : public QObject {
    Q_OBJECT

private slots:
    void defaultExperiment();
    void defaultExperimentMatchesResourceFile();
    void roundTrip_data();
    void roundTrip();
    void overridesApplyPerRun();
    void implicitRun();
    void textFileResolvedAgainstExperimentFolder();
    void badExperiment_data();
    void badExperiment();
    void badExperimentFiles_data();
    void badExperimentFiles();
    void badSafetensorsFiles_data();
    void badSafetensorsFiles();
    void fuzzRegressionsReplay();
    void unreadableFiles();
    void estimateAndDeepNormScales();
    void enumNames();
    void fileSafeName_data();
    void fileSafeName();

    void safetensorsRoundTrip();
    void safetensorsConversions();
    void safetensorsWriteRefuses();
    void corruptSafetensors_data();
    void corruptSafetensors();
    void safetensorsMutationsNeverCrash();
    void safetensorsMissingFile();
};

// -------------------------------------------------------------------------------------------------
// Experiments

void TestEngineFiles::defaultExperiment() {
    const ns::Experiment e = ns::default_experiment();
    QCOMPARE(e.name, std::string("Post-LN vs Pre-LN"));
    QCOMPARE(e.runs.size(), std::size_t(2));
    QCOMPARE(e.runs[0].name, std::string("Post-LN"));
    QCOMPARE(e.runs[1].name, std::string("Pre-LN"));
    QCOMPARE(e.runs[0].model.placement, ns::NormPlacement::Post);
    QCOMPARE(e.runs[1].model.placement, ns::NormPlacement::Pre);
    QVERIFY(!e.runs[0].model.final_norm_on());
    QVERIFY(e.runs[1].model.final_norm_on());
    // Every other value is the struct default, as SPEC section 2 writes it out.
    QVERIFY(differences(e.model, ns::ModelConfig{}, "model").isEmpty());
    QVERIFY(differences(e.train, ns::TrainConfig{}, "train").isEmpty());
    QCOMPARE(e.runs[0].model_overrides, json({{"placement", "post"}}));
    QCOMPARE(e.runs[1].train_overrides, json::object());
}

void TestEngineFiles::defaultExperimentMatchesResourceFile() {
    const QString path = data_dir() + "/../../resources/experiments/postln_vs_preln.json";
    QVERIFY2(QFile::exists(path), qPrintable(path));
    const ns::Experiment fromFile = ns::load_experiment_file(path.toStdString());
    const ns::Experiment builtIn = ns::default_experiment();
    const QStringList d = differences(fromFile, builtIn);
    QVERIFY2(d.isEmpty(), qPrintable(d.join(", ")));
    QCOMPARE(ns::to_json(fromFile), ns::to_json(builtIn));
}

void TestEngineFiles::roundTrip_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("default") << QByteArray(ns::to_json(ns::default_experiment()).dump().c_str());
    QTest::newRow("small") << QByteArray(kSmallExperiment);
    QTest::newRow("rich") << QByteArray(kRichExperiment);
}

void TestEngineFiles::roundTrip() {
    QFETCH(QByteArray, text);
    const ns::Experiment e1 = ns::parse_experiment_text(text.toStdString());
    const json j1 = ns::to_json(e1);

    // Every key is written out.
    QCOMPARE(j1.at("model").size(), std::size_t(19));
    QCOMPARE(j1.at("train").size(), e1.train.text_file.empty() ? std::size_t(18) : std::size_t(19));
    QCOMPARE(j1.at("format"), json("normscope-experiment"));
    QCOMPARE(j1.at("version"), json(1));

    for (const int indent : {-1, 2}) {
        const ns::Experiment e2 = ns::parse_experiment_text(j1.dump(indent));
        const QStringList d = differences(e1, e2);
        QVERIFY2(d.isEmpty(), qPrintable("differs after the round trip: " + d.join(", ")));
        const json j2 = ns::to_json(e2);
        QVERIFY2(j2 == j1, qPrintable(QString::fromStdString(j1.dump() + "\n!=\n" + j2.dump())));
        QCOMPARE(j2.dump(), j1.dump());
    }
}

void TestEngineFiles::overridesApplyPerRun() {
    const ns::Experiment e = ns::parse_experiment_text(kRichExperiment);
    QCOMPARE(e.runs.size(), std::size_t(5));

    // The base is untouched by the runs.
    QCOMPARE(e.model.norm, ns::NormKind::LayerNorm);
    QCOMPARE(e.train.optimizer, ns::Optimizer::SGD);
    QVERIFY(!e.model.final_norm.has_value());

    const ns::RunSpec& r0 = e.runs[0];
    QCOMPARE(r0.model.norm, ns::NormKind::LayerNormStd);
    QCOMPARE(r0.model.placement, ns::NormPlacement::Pre);
    QCOMPARE(r0.model.final_norm, std::optional<bool>(true));
    QCOMPARE(r0.model.positional, ns::Positional::Sinusoidal);
    QVERIFY(r0.model.embedding_scale_sqrt_d);
    QCOMPARE(r0.model.activation, ns::Activation::GELU);
    QCOMPARE(r0.model.init, ns::InitScheme::Torch);
    QCOMPARE(r0.train.task, ns::Task::Sort);
    QCOMPARE(r0.train.seed, std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(r0.train.beta1, 0.8);
    QCOMPARE(r0.train.beta2, 0.999);
    // Keys the run does not override come from the base.
    QCOMPARE(r0.model.d_model, 24);
    QCOMPARE(r0.model.dropout, 0.1);
    QCOMPARE(r0.train.lr, 0.30000000000000004);
    QCOMPARE(r0.train.momentum, 0.8);

    const ns::RunSpec& r1 = e.runs[1];
    QCOMPARE(r1.model.norm, ns::NormKind::RMSNorm);
    QCOMPARE(r1.model.placement, ns::NormPlacement::Sandwich);
    QCOMPARE(r1.model.final_norm, std::optional<bool>(false));
    QCOMPARE(r1.model.positional, ns::Positional::None);
    QVERIFY(!r1.model.embedding_scale_sqrt_d);
    QCOMPARE(r1.train.optimizer, ns::Optimizer::AdamW);
    QCOMPARE(r1.train.schedule, ns::Schedule::Cosine);
    QCOMPARE(r1.train.min_lr_ratio, 0.1);
    QCOMPARE(r1.train.seed, std::uint64_t(12345));

    const ns::RunSpec& r2 = e.runs[2];
    QCOMPARE(r2.model.norm, ns::NormKind::BatchNorm);
    QCOMPARE(r2.model.placement, ns::NormPlacement::DeepNorm);
    QCOMPARE(r2.model.layers, 4);
    QCOMPARE(r2.train.task, ns::Task::Histogram);
    QCOMPARE(r2.train.schedule, ns::Schedule::InverseSqrt);
    // Overrides are kept in canonical form: 4.0 is written back as the integer 4.
    QCOMPARE(r2.model_overrides.at("layers"), json(4));
    QVERIFY(r2.model_overrides.at("layers").is_number_integer());
    QCOMPARE(r2.model_overrides.size(), std::size_t(3));

    const ns::RunSpec& r3 = e.runs[3];
    QCOMPARE(r3.model.norm, ns::NormKind::DyT);
    QCOMPARE(r3.model.dyt_alpha, 0.7000000000000001);
    QVERIFY(r3.model.causal);
    QCOMPARE(r3.train.task, ns::Task::Text);
    QCOMPARE(r3.train.text_file, std::string("corpus.txt"));
    QVERIFY(e.train.text_file.empty());

    const ns::RunSpec& r4 = e.runs[4];
    QCOMPARE(r4.model.norm, ns::NormKind::None);
    QVERIFY(!r4.model.residual);
    QVERIFY(r4.model.embedding_norm);
    QCOMPARE(r4.model_overrides.at("final_norm"), json("auto"));
    QCOMPARE(r4.train_overrides, json::object());
    QCOMPARE(r4.train.optimizer, ns::Optimizer::SGD);
}

void TestEngineFiles::implicitRun() {
    json j = small_with(R"({"runs": null})");
    ns::Experiment e = ns::parse_experiment(j);
    QCOMPARE(e.runs.size(), std::size_t(1));
    QCOMPARE(e.runs[0].name, std::string("small"));
    QVERIFY(differences(e.runs[0].model, e.model, "model").isEmpty());

    j["runs"] = json::array();
    j["name"] = "";
    e = ns::parse_experiment(j);
    QCOMPARE(e.runs.size(), std::size_t(1));
    QCOMPARE(e.runs[0].name, std::string("run"));

    // Only "format" and "version" are required; everything else has a default.
    e = ns::parse_experiment(json{{"format", "normscope-experiment"}, {"version", 1}});
    QCOMPARE(e.runs.size(), std::size_t(1));
    QVERIFY(differences(e.runs[0].train, ns::TrainConfig{}, "train").isEmpty());
}

void TestEngineFiles::textFileResolvedAgainstExperimentFolder() {
    const json j = small_with(R"({"model": {"causal": true}, "train": {"task": "text", "text_file": "books/a.txt"},
                                  "runs": [{"name": "A"}, {"name": "B", "train": {"text_file": "/abs/b.txt"}}]})");
    const ns::Experiment e = ns::parse_experiment(j, "/data/exp");
    QCOMPARE(e.source_dir, std::string("/data/exp"));
    QCOMPARE(e.train.text_file, std::string("/data/exp/books/a.txt"));
    QCOMPARE(e.runs[0].train.text_file, std::string("/data/exp/books/a.txt"));
    QCOMPARE(e.runs[1].train.text_file, std::string("/abs/b.txt"));
    // A relative folder is joined once, also for a run that overrides other train keys.
    const json k = small_with(R"({"model": {"causal": true}, "train": {"task": "text", "text_file": "a.txt"},
                                  "runs": [{"name": "A", "train": {"lr": 0.01}}]})");
    QCOMPARE(ns::parse_experiment(k, "rel").runs[0].train.text_file, std::string("rel/a.txt"));
    // Without a folder the path stays as written.
    QCOMPARE(ns::parse_experiment(j).train.text_file, std::string("books/a.txt"));
}

void TestEngineFiles::badExperiment_data() {
    QTest::addColumn<QByteArray>("text");   // a merge patch onto kSmallExperiment, or raw text
    QTest::addColumn<bool>("raw");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("word");

    auto patch = [](const char* name, const char* p, const char* field, const char* word) {
        QTest::newRow(name) << QByteArray(p) << false << QString(field) << QString(word);
    };
    auto raw = [](const char* name, const QByteArray& text, const char* field, const char* word) {
        QTest::newRow(name) << text << true << QString(field) << QString(word);
    };

    patch("unknown top-level key", R"({"modle": {}})", "modle", "unknown key");
    patch("unknown model key", R"({"model": {"hedas": 2}})", "model.hedas", "heads");
    patch("unknown train key", R"({"train": {"learning_rate": 0.1}})", "train.learning_rate", "unknown key");
    patch("unknown run key", R"({"runs": [{"name": "A", "modle": {}}]})", "runs[0].modle", "unknown key");
    patch("unknown run override key", R"({"runs": [{"name": "A"}, {"name": "B", "model": {"hedas": 3}}]})",
          "runs[1].model.hedas", "unknown key");
    patch("unknown run train override", R"({"runs": [{"name": "A", "train": {"lr_decay": 1}}]})",
          "runs[0].train.lr_decay", "unknown key");
    patch("wrong format", R"({"format": "something-else"})", "format", "normscope-experiment");
    patch("missing format", R"({"format": null})", "format", "missing");
    patch("unsupported version", R"({"version": 2})", "version", "version 1");
    patch("name not a string", R"({"name": 5})", "name", "string");
    patch("layers a string", R"({"model": {"layers": "6"}})", "model.layers", "integer");
    patch("layers 2.5", R"({"model": {"layers": 2.5}})", "model.layers", "integer");
    patch("layers beyond int", R"({"model": {"layers": 3000000000}})", "model.layers", "range");
    patch("d_model 1e30", R"({"model": {"d_model": 1e30}})", "model.d_model", "range");
    patch("heads below int", R"({"model": {"heads": -9223372036854775808}})", "model.heads", "range");
    patch("eps a string", R"({"model": {"eps": "1e-5"}})", "model.eps", "number");
    patch("causal a string", R"({"model": {"causal": "yes"}})", "model.causal", "true or false");
    patch("model an array", R"({"model": [1, 2]})", "model", "object");
    patch("runs an object", R"({"runs": {"name": "A"}})", "runs", "array");
    patch("run a number", R"({"runs": [3]})", "runs[0]", "object");
    patch("heads do not divide d_model", R"({"model": {"heads": 3}})", "model.heads", "must divide d_model (16)");
    patch("run heads do not divide", R"({"runs": [{"name": "A", "model": {"heads": 5}}]})", "runs[0].model.heads",
          "divide");
    patch("zero layers", R"({"model": {"layers": 0}})", "model.layers", "between 1 and 1024");
    patch("2000 layers", R"({"model": {"layers": 2000}})", "model.layers", "1024");
    patch("zero d_model", R"({"model": {"d_model": 0}})", "model.d_model", "at least 1");
    patch("zero d_ff", R"({"model": {"d_ff": 0}})", "model.d_ff", "at least 1");
    patch("vocab 1", R"({"model": {"vocab": 1}})", "model.vocab", "at least 2");
    patch("zero batch", R"({"train": {"batch": 0}})", "train.batch", "at least 1");
    patch("negative steps", R"({"train": {"steps": -1}})", "train.steps", "at least 0");
    patch("zero eval_every", R"({"train": {"eval_every": 0}})", "train.eval_every", "at least 1");
    patch("negative lr", R"({"train": {"lr": -0.001}})", "train.lr", "non-negative");
    patch("negative dropout", R"({"model": {"dropout": -0.1}})", "model.dropout", "[0, 1)");
    patch("dropout 1", R"({"model": {"dropout": 1}})", "model.dropout", "[0, 1)");
    patch("eps 0", R"({"model": {"eps": 0}})", "model.eps", "positive");
    patch("negative weight decay", R"({"train": {"weight_decay": -1}})", "train.weight_decay", "non-negative");
    patch("min_lr_ratio 1.5", R"({"train": {"min_lr_ratio": 1.5}})", "train.min_lr_ratio", "[0, 1]");
    patch("beta2 1", R"({"train": {"betas": [0.9, 1.0]}})", "train.betas[1]", "[0, 1)");
    patch("betas of three", R"({"train": {"betas": [0.9, 0.98, 0.1]}})", "train.betas", "two numbers");
    patch("beta a string", R"({"train": {"betas": [0.9, "x"]}})", "train.betas[1]", "number");
    patch("negative seed", R"({"train": {"seed": -1}})", "train.seed", "non-negative");
    patch("bad norm", R"({"model": {"norm": "layernrom"}})", "model.norm", "allowed values");
    patch("bad placement in a run", R"({"runs": [{"name": "A"}, {"name": "B", "model": {"placement": "middle"}}]})",
          "runs[1].model.placement", "sandwich");
    patch("bad optimizer", R"({"train": {"optimizer": "lion"}})", "train.optimizer", "adamw");
    patch("bad final_norm", R"({"model": {"final_norm": "yes"}})", "model.final_norm", "auto");
    patch("final_norm a number", R"({"model": {"final_norm": 1}})", "model.final_norm", "auto");
    patch("bad embedding_scale", R"({"model": {"embedding_scale": "sqrt"}})", "model.embedding_scale", "sqrt_d");
    patch("duplicate run names", R"({"runs": [{"name": "A"}, {"name": "A"}]})", "runs[1].name", "duplicate");
    patch("duplicate run folders", R"({"runs": [{"name": "Post LN"}, {"name": "post/ln"}]})", "runs[1].name",
          "duplicate");
    patch("empty run name", R"({"runs": [{"name": ""}]})", "runs[0].name", "non-empty");
    patch("run without name", R"({"runs": [{"model": {}}]})", "runs[0].name", "missing");
    patch("enormous model", R"({"model": {"d_model": 65536, "layers": 200}})", "model", "GiB");
    patch("enormous run", R"({"runs": [{"name": "A", "model": {"d_model": 65536, "layers": 200}}]})",
          "runs[0].model", "GiB");
    patch("seq_len above max_len", R"({"train": {"seq_len": 32}})", "train.seq_len", "max_len");
    patch("histogram vocab too small", R"({"model": {"vocab": 8}, "train": {"task": "histogram"}})",
          "model.vocab", "histogram");
    patch("run switches to histogram", R"({"model": {"vocab": 8}, "runs": [{"name": "A", "train": {"task": "histogram"}}]})",
          "runs[0].model.vocab", "seq_len + 1");
    patch("base and run both invalid", R"({"model": {"heads": 3}, "runs": [{"name": "A", "model": {"layers": 3}}]})",
          "model.heads", "divide");
    patch("text without text_file", R"({"model": {"causal": true}, "train": {"task": "text"}})",
          "train.text_file", "text_file");
    patch("text not causal", R"({"train": {"task": "text", "text_file": "a.txt"}})", "model.causal",
          "causal");
    patch("batchnorm with one position",
          R"({"model": {"norm": "batchnorm", "max_len": 1}, "train": {"seq_len": 1, "batch": 1}})", "train.batch",
          "batchnorm");
    raw("not an object", "[1, 2]", "", "object");
    raw("malformed JSON", R"({"format": "normscope-experiment",, "version": 1})", "", "JSON");
    raw("truncated JSON", R"({"format": "normscope-experiment", "version": 1, "model": {)", "", "line 1");
    raw("number overflow", R"({"format": "normscope-experiment", "version": 1, "model": {"eps": 1e400}})", "",
        "JSON");
    raw("deep nesting", QByteArray(R"({"format": "normscope-experiment", "version": 1, "model": {"a": )") +
                            QByteArray(100000, '[') + QByteArray(100000, ']') + "}}",
        "model.a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]", "nested");
    raw("duplicate key", R"({"format": "normscope-experiment", "version": 1, "train": {"lr": 0.1, "lr": 0.2}})",
        "train.lr", "duplicate");
    raw("duplicate key in a run",
        R"({"format": "normscope-experiment", "version": 1, "runs": [{"name": "a"}, {"name": "b", "name": "c"}]})",
        "runs[1].name", "duplicate");
    raw("invalid UTF-8", QByteArray(R"({"format": "normscope-experiment", "version": 1, "name": "caf)") +
                             QByteArray("\xC3\x28", 2) + "\"}",
        "", "UTF-8");
}

void TestEngineFiles::badExperiment() {
    QFETCH(QByteArray, text);
    QFETCH(bool, raw);
    QFETCH(QString, field);
    QFETCH(QString, word);
    const auto error = config_error([&] {
        if (raw) ns::parse_experiment_text(text.toStdString());
        else ns::parse_experiment(small_with(text));
    });
    QVERIFY2(error.has_value(), "no ConfigError was thrown");
    const QString message = QString::fromStdString(error->what());
    QCOMPARE(QString::fromStdString(error->field()), field);
    QVERIFY2(message.contains(word), qPrintable(message));
    QVERIFY2(message.startsWith(field), qPrintable(message));
}

void TestEngineFiles::badExperimentFiles_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("word");
    const QString dir = data_dir() + "/bad_experiments";
    QFile tsv(dir + "/expected.tsv");
    QVERIFY2(tsv.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(tsv.fileName()));
    int rows = 0;
    while (!tsv.atEnd()) {
        const QString line = QString::fromUtf8(tsv.readLine()).chopped(1);
        if (line.isEmpty()) continue;
        const QStringList cols = line.split('\t');
        QVERIFY2(cols.size() == 3, qPrintable("expected.tsv: " + line));
        QTest::newRow(qPrintable(cols[0])) << dir + "/" + cols[0] << cols[1] << cols[2];
        ++rows;
    }
    QVERIFY(rows >= 20);
    // Every file of the corpus is listed.
    QCOMPARE(QDir(dir).entryList({"*.json"}, QDir::Files).size(), rows);
}

void TestEngineFiles::badExperimentFiles() {
    QFETCH(QString, file);
    QFETCH(QString, field);
    QFETCH(QString, word);
    const auto error = config_error([&] { ns::load_experiment_checked(file.toStdString()); });
    QVERIFY2(error.has_value(), "no ConfigError was thrown");
    const QString message = QString::fromStdString(error->what());
    QCOMPARE(QString::fromStdString(error->field()), field);
    QCOMPARE(QString::fromStdString(error->file()), file);
    QVERIFY2(message.startsWith(file + ": " + (field.isEmpty() ? QString() : field + ": ")), qPrintable(message));
    QVERIFY2(message.contains(word), qPrintable(message));
}

void TestEngineFiles::unreadableFiles() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const std::string missing = dir.filePath("missing.json").toStdString();
    auto error = config_error([&] { ns::load_experiment_file(missing); });
    QVERIFY(error.has_value());
    QVERIFY2(QString(error->what()).startsWith(QString::fromStdString(missing) + ": "), error->what());
    QCOMPARE(error->field(), std::string());

    error = config_error([&] { ns::load_experiment_file(dir.path().toStdString()); });
    QVERIFY(error.has_value());
    QVERIFY2(QString(error->what()).contains("folder"), error->what());

    const QString big = dir.filePath("big.json");
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray spaces(1 << 20, ' ');
        for (int i = 0; i < 17; ++i) f.write(spaces);
    }
    error = config_error([&] { ns::load_experiment_file(big.toStdString()); });
    QVERIFY(error.has_value());
    QVERIFY2(QString(error->what()).contains("16 MiB"), error->what());

    // A good file loads, and its folder becomes source_dir.
    const QString good = dir.filePath("good.json");
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kSmallExperiment);
    }
    const ns::Experiment e = ns::load_experiment_file(good.toStdString());
    QCOMPARE(QDir(QString::fromStdString(e.source_dir)).canonicalPath(), QDir(dir.path()).canonicalPath());
}

void TestEngineFiles::estimateAndDeepNormScales() {
    ns::ModelConfig m;
    ns::TrainConfig t;
    const double D = 64, F = 256, V = 32, L = 6, H = 4, T = 16, B = 32, ML = 16;
    const double P = V * D + ML * D + L * (3 * D * D + 3 * D + D * D + D + F * D + F + D * F + D + 8 * D) + V * D + V + 4 * D;
    const double bytes = 20 * P + 4 * B * T * L * (12 * D + 2 * F + 2 * H * T) + 12 * B * T * V + 4 * B * T * (3 * D + F);
    QCOMPARE(ns::estimate_training_bytes(m, t), bytes);
    m.positional = ns::Positional::Sinusoidal;  // a constant table of the same size, counted alike
    QCOMPARE(ns::estimate_training_bytes(m, t), bytes);
    m.positional = ns::Positional::None;
    QCOMPARE(ns::estimate_training_bytes(m, t), bytes - 20 * ML * D);
    // Far beyond int range, still finite: the arithmetic is in double.
    m.d_model = m.d_ff = m.vocab = m.max_len = std::numeric_limits<int>::max();
    m.layers = 1024;
    QVERIFY(std::isfinite(ns::estimate_training_bytes(m, t)));

    ns::ModelConfig deep;
    deep.layers = 8;
    QCOMPARE(deep.residual_alpha(), 1.0);
    QCOMPARE(deep.init_beta(), 1.0);
    deep.placement = ns::NormPlacement::DeepNorm;
    QCOMPARE(deep.residual_alpha(), 2.0);  // (2*8)^(1/4)
    QCOMPARE(deep.init_beta(), std::pow(64.0, -0.25));  // (8*8)^(-1/4)
}

void TestEngineFiles::enumNames() {
    QCOMPARE(QString(ns::to_string(ns::NormKind::LayerNormStd)), QString("layernorm_std"));
    QCOMPARE(QString(ns::to_string(ns::NormKind::DyT)), QString("dyt"));
    QCOMPARE(QString(ns::to_string(ns::NormPlacement::DeepNorm)), QString("deepnorm"));
    QCOMPARE(QString(ns::to_string(ns::Positional::Sinusoidal)), QString("sinusoidal"));
    QCOMPARE(QString(ns::to_string(ns::Activation::GELU)), QString("gelu"));
    QCOMPARE(QString(ns::to_string(ns::InitScheme::Torch)), QString("torch"));
    QCOMPARE(QString(ns::to_string(ns::Task::Histogram)), QString("histogram"));
    QCOMPARE(QString(ns::to_string(ns::Optimizer::AdamW)), QString("adamw"));
    QCOMPARE(QString(ns::to_string(ns::Schedule::InverseSqrt)), QString("inverse_sqrt"));
    QCOMPARE(QString(ns::to_string(ns::DType::I64)), QString("I64"));
}

void TestEngineFiles::fileSafeName_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("safe");
    QTest::newRow("plain") << "Post-LN" << "Post-LN";
    QTest::newRow("spaces") << "Pre LN  (eps 1e-5)" << "Pre_LN_eps_1e-5_";
    QTest::newRow("slashes") << "a/b\\c" << "a_b_c";
    QTest::newRow("underscores collapse") << "a__b _c" << "a_b_c";
    QTest::newRow("non-ASCII") << QString::fromUtf8("Größe ×2") << "Gr_e_2";
    QTest::newRow("empty") << "" << "run";
    QTest::newRow("dot") << "." << "_";
    QTest::newRow("dot dot") << ".." << "_";
    QTest::newRow("only symbols") << "///" << "_";
}

void TestEngineFiles::fileSafeName() {
    QFETCH(QString, name);
    QFETCH(QString, safe);
    QCOMPARE(QString::fromStdString(ns::file_safe_name(name.toStdString())), safe);
}

// -------------------------------------------------------------------------------------------------
// safetensors

void TestEngineFiles::safetensorsRoundTrip() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::vector<ns::Tensor> tensors = sample_tensors();
    const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"normscope", "probe \"1\""}};
    const std::string path = dir.filePath("a.safetensors").toStdString();
    ns::write_safetensors(path, tensors, metadata);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"a.safetensors"});  // no temporary left

    std::map<std::string, std::string> read_metadata;
    const std::vector<ns::Tensor> back = ns::read_safetensors(path, &read_metadata);
    QCOMPARE(read_metadata, metadata);
    QCOMPARE(back.size(), tensors.size());
    for (const ns::Tensor& t : tensors) {
        const auto it = std::find_if(back.begin(), back.end(), [&](const ns::Tensor& b) { return b.name == t.name; });
        QVERIFY2(it != back.end(), t.name.c_str());
        QCOMPARE(it->dtype, t.dtype);
        QCOMPARE(it->shape, t.shape);
        QVERIFY2(it->data == t.data, t.name.c_str());
    }
    // Read back in file order, which is name order.
    for (std::size_t i = 1; i < back.size(); ++i) QVERIFY(back[i - 1].name < back[i].name);

    // Layout: header length a multiple of 8, JSON padded with spaces.
    const QByteArray bytes = file_bytes(QString::fromStdString(path));
    quint64 n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | quint8(bytes[i]);
    QCOMPARE(n % 8, quint64(0));
    const json header = json::parse(bytes.mid(8, int(n)).toStdString());
    QCOMPARE(header.at("loss").at("shape"), json::array());
    QCOMPARE(header.at("empty").at("data_offsets"), json::array({0, 0}));
    QCOMPARE(header.at("__metadata__").at("format"), json("pt"));
    QCOMPARE(quint64(bytes.size()), 8 + n + 24 + 24 + 32 + 4 + 0);

    // Byte-exact: writing what was read, or the same tensors in another order, gives the same file.
    const std::string again = dir.filePath("b.safetensors").toStdString();
    ns::write_safetensors(again, back, read_metadata);
    QCOMPARE(file_bytes(QString::fromStdString(again)), bytes);
    std::vector<ns::Tensor> reversed(tensors.rbegin(), tensors.rend());
    ns::write_safetensors(again, reversed, metadata);  // also replaces an existing file
    QCOMPARE(file_bytes(QString::fromStdString(again)), bytes);

    // In memory, same result.
    const auto parsed = ns::parse_safetensors(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                              std::size_t(bytes.size()), "memory");
    QCOMPARE(parsed.size(), tensors.size());

    // No tensors at all is a valid file too.
    ns::write_safetensors(again, {});
    QVERIFY(ns::read_safetensors(again).empty());
}

void TestEngineFiles::safetensorsConversions() {
    const std::vector<ns::Tensor> tensors = sample_tensors();
    const ns::Tensor& f32 = tensors[0];
    QCOMPARE(f32.numel(), std::int64_t(6));
    const std::vector<float> values = f32.to_f32();
    QCOMPARE(values[1], -2.5f);
    QCOMPARE(values[5], 65504.0f);
    QCOMPARE(f32.to_f64()[2], 3.25);

    const ns::Tensor& f64 = tensors[1];
    QCOMPARE(f64.to_f64()[2], 2.0 / 3.0);
    QCOMPARE(f64.to_f32()[0], 0.1f);

    const ns::Tensor& i64 = tensors[2];
    QCOMPARE(i64.to_i64()[3], std::numeric_limits<std::int64_t>::max());
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, i64.to_f32());
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, f32.to_i64());

    QCOMPARE(tensors[3].numel(), std::int64_t(1));  // scalar
    QCOMPARE(tensors[4].numel(), std::int64_t(0));
    QVERIFY(tensors[4].to_f32().empty());

    const double d[2] = {0.5, 1e-3};
    const ns::Tensor narrowed = ns::Tensor::f32_from("x", {2}, d);
    QCOMPARE(narrowed.dtype, ns::DType::F32);
    QCOMPARE(narrowed.to_f32()[1], float(1e-3));

    ns::Tensor bad;
    bad.name = "bad";
    bad.shape = {-1};
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, bad.numel());
    bad.shape = {std::int64_t(1) << 40, std::int64_t(1) << 40};
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, bad.numel());
}

void TestEngineFiles::safetensorsWriteRefuses() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("w.safetensors").toStdString();
    const float one = 1.0f;
    const std::vector<ns::Tensor> duplicate = {ns::Tensor::f32("a", {1}, &one), ns::Tensor::f32("a", {1}, &one)};
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, ns::write_safetensors(path, duplicate));
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError,
                             ns::write_safetensors(path, {ns::Tensor::f32("__metadata__", {1}, &one)}));
    ns::Tensor wrong_size = ns::Tensor::f32("a", {2}, std::vector<float>{1, 2}.data());
    wrong_size.data.pop_back();
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError, ns::write_safetensors(path, {wrong_size}));
    QVERIFY_THROWS_EXCEPTION(ns::SafetensorsError,
                             ns::write_safetensors(dir.filePath("no/such/folder/x.safetensors").toStdString(),
                                                   {ns::Tensor::f32("a", {1}, &one)}));
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestEngineFiles::corruptSafetensors_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("word");  // part of the reason
    QTest::addColumn<QString>("tensor");  // the tensor the message must name, if any

    auto row = [](const char* name, const QByteArray& bytes, const char* word, const char* tensor = "") {
        QTest::newRow(name) << bytes << QString(word) << QString(tensor);
    };
    const QByteArray okA = R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})";

    row("empty", QByteArray(), "too short");
    row("seven bytes", QByteArray(7, '\0'), "too short");
    row("length 2^64-1", with_length(~quint64(0), "{}"), "100 MB");
    row("length 150 MB", with_length(150000000, "{}"), "100 MB");
    row("length past the end", with_length(64, "{}"), "past the end");
    row("length zero", with_length(0, ""), "JSON");
    row("not JSON", safetensors_bytes("{nope", 0), "JSON");
    row("header an array", safetensors_bytes("[]", 0), "not a JSON object");
    row("header null", safetensors_bytes("null", 0), "not a JSON object");
    row("NUL in header", safetensors_bytes(QByteArray("{\"a\"\0:1}", 8), 0), "JSON");
    row("invalid UTF-8 name", safetensors_bytes("{\"\xff\":{}}", 0), "JSON");
    row("deep nesting", safetensors_bytes(QByteArray(20000, '[') + QByteArray(20000, ']'), 0), "nested too deeply");
    row("deep nesting, unclosed", safetensors_bytes(QByteArray(1 << 20, '['), 0), "nested too deeply");
    row("entry not an object", safetensors_bytes(R"({"a":[1]})", 0), "not an object", "a");
    row("unknown dtype", safetensors_bytes(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", 2),
        "dtype", "a");
    row("dtype missing", safetensors_bytes(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", 4), "dtype", "a");
    row("dtype a number", safetensors_bytes(R"({"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", 4), "dtype",
        "a");
    row("shape missing", safetensors_bytes(R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", 4), "shape", "a");
    row("shape negative", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
        "negative", "a");
    row("shape float", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4),
        "not an integer", "a");
    row("shape beyond int64",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,4]}})", 4),
        "too large", "a");
    row("numel overflows",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,4]}})", 4),
        "too many", "a");
    row("bytes overflow",
        safetensors_bytes(R"({"a":{"dtype":"I64","shape":[2305843009213693952],"data_offsets":[0,8]}})", 8),
        "too many", "a");
    row("offsets wrong size", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", 8),
        "needs 4", "a");
    row("offsets past the data", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 0),
        "past the end", "a");
    row("offsets huge",
        safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]}})",
                          4),
        "past the end", "a");
    row("offsets reversed", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4),
        "begin after", "a");
    row("offsets three", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 8),
        "data_offsets", "a");
    row("offsets negative", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[-4,-4]}})", 0),
        "data_offsets", "a");
    row("offsets strings", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}})", 4),
        "data_offsets", "a");
    row("overlap", safetensors_bytes("{" + okA + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4),
        "overlaps", "b");
    row("hole at the start", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
        "hole", "a");
    row("hole between", safetensors_bytes("{" + okA + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12),
        "hole", "b");
    row("trailing data", safetensors_bytes("{" + okA + "}", 8), "no tensor");
    row("duplicate names", safetensors_bytes("{" + okA + "," + okA + "}", 4), "two tensors", "a");
    row("duplicate inner key",
        safetensors_bytes(R"({"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}})", 4), "repeats");
    row("metadata not an object", safetensors_bytes(R"({"__metadata__":[]})", 0), "__metadata__");
    row("metadata value a number", safetensors_bytes(R"({"__metadata__":{"k":1}})", 0), "__metadata__");
}

void TestEngineFiles::corruptSafetensors() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, word);
    QFETCH(QString, tensor);
    // Copy into an exactly sized buffer so that AddressSanitizer sees any read past the end.
    std::vector<std::uint8_t> buffer(bytes.begin(), bytes.end());
    try {
        ns::parse_safetensors(buffer.data(), buffer.size(), "corrupt.safetensors");
        QFAIL("accepted a corrupt file");
    } catch (const ns::SafetensorsError& e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.startsWith("corrupt.safetensors: "), qPrintable(message));
        QVERIFY2(message.contains(word), qPrintable(message));
        if (!tensor.isEmpty())
            QVERIFY2(message.contains("tensor \"" + tensor + "\""), qPrintable(message));
    }
}

void TestEngineFiles::safetensorsMutationsNeverCrash() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("m.safetensors");
    ns::write_safetensors(path.toStdString(), sample_tensors(), {{"k", "v"}});
    const QByteArray good = file_bytes(path);
    int accepted = 0, refused = 0;
    auto attempt = [&](const QByteArray& bytes) {
        std::vector<std::uint8_t> buffer(bytes.begin(), bytes.end());
        try {
            ns::parse_safetensors(buffer.data(), buffer.size(), "mutated");
            ++accepted;
        } catch (const ns::SafetensorsError&) {
            ++refused;
        }  // anything else escapes and fails the test
    };
    for (int len = 0; len < good.size(); ++len) attempt(good.left(len));
    for (int i = 0; i < good.size(); ++i)
        for (const char v : {'\0', '\xff', '9', '-', '"', '[', char(good[i] ^ 1)}) {
            QByteArray b = good;
            b[i] = v;
            attempt(b);
        }
    QVERIFY(refused > 0);
    QVERIFY(accepted > 0);  // flips inside the data buffer are just other values
}

void TestEngineFiles::safetensorsMissingFile() {
    try {
        ns::read_safetensors("/nonexistent/x.safetensors");
        QFAIL("read a missing file");
    } catch (const ns::SafetensorsError& e) {
        QVERIFY2(QString(e.what()).startsWith("/nonexistent/x.safetensors: "), e.what());
    }
}

// tests/data/bad_safetensors: damaged files (refused by the reader) and sound files that do not
// fit the model (refused by load_weights), each with the tensor and the reason it must name.
void TestEngineFiles::badSafetensorsFiles_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QString>("word");
    const QString dir = data_dir() + "/bad_safetensors";
    QFile tsv(dir + "/expected.tsv");
    QVERIFY(tsv.open(QIODevice::ReadOnly | QIODevice::Text));
    int rows = 0;
    while (!tsv.atEnd()) {
        const QStringList cols = QString::fromUtf8(tsv.readLine()).chopped(1).split('\t');
        if (cols.size() != 3) continue;
        QTest::newRow(qPrintable(cols[0])) << dir + "/" + cols[0] << cols[1] << cols[2];
        ++rows;
    }
    QCOMPARE(QDir(dir).entryList({"*.safetensors"}, QDir::Files).size(), rows);
}

void TestEngineFiles::badSafetensorsFiles() {
    QFETCH(QString, file);
    QFETCH(QString, tensor);
    QFETCH(QString, word);
    const ns::Experiment e = ns::load_experiment_file(data_dir().toStdString() + "/bad_safetensors/model.json");
    ns::Parallel par(1);
    ns::Model<float> m(e.runs[0].model, par);
    m.init(e.runs[0].train.seed);
    const auto before = m.params();
    QString message;
    try {
        ns::load_weights(m, ns::read_safetensors(file.toStdString()), file.toStdString());
    } catch (const ns::SafetensorsError& err) {
        message = QString::fromStdString(err.what());
    }
    QVERIFY2(!message.isEmpty(), "the file was accepted");
    QVERIFY2(message.startsWith(file + ": "), qPrintable(message));
    if (!tensor.isEmpty()) QVERIFY2(message.contains(tensor), qPrintable(message));
    QVERIFY2(message.contains(word), qPrintable(message));
    QVERIFY2(m.params() == before, "a refused file must leave the model untouched");
}

// Every fuzz regression case and seed through both fuzzed readers, as the fuzz targets do: an
// input is accepted or refused with the reader's own error, nothing else.
void TestEngineFiles::fuzzRegressionsReplay() {
    const QString root = QStringLiteral(NS_TEST_DATA_DIR "/../fuzz/");
    int n = 0;
    for (const QString& sub : {"regressions", "seeds"}) {
        const QDir dir(root + sub);
        for (const QString& name : dir.entryList(QDir::Files)) {
            if (name == "README.md") continue;
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            try {
                ns::parse_experiment_text(bytes.toStdString());
            } catch (const ns::ConfigError&) {
            }
            try {
                const auto tensors = ns::parse_safetensors(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                                           static_cast<std::size_t>(bytes.size()), name.toStdString());
                ns::ModelConfig c;
                c.layers = 1, c.d_model = 4, c.heads = 2, c.d_ff = 8, c.vocab = 5, c.max_len = 4;
                ns::Parallel par(1);
                ns::Model<float> m(c, par);
                ns::load_weights(m, tensors, name.toStdString());
            } catch (const ns::SafetensorsError&) {
            }
            ++n;
        }
    }
    qInfo("%d fuzz regression and seed files replayed", n);
    QVERIFY(n >= 2);
}

QTEST_APPLESS_MAIN(TestEngineFiles)
#include "tst_engine_files.moc"
