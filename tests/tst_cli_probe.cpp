// The real `normscope` program: `probe` writes SPEC section 4's files, and every bad input is
// refused with exit status 2 and a message naming the file, the field and the reason.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include "cli_process.h"

#include "engine/config.h"
#include "engine/safetensors.h"

namespace {

using nstest::Result;
Result run(const QStringList& args) { return nstest::run_normscope(args, 120000); }
QStringList read_lines(const QString& path) { return nstest::lines_of(path); }

const QString kDefault = QStringLiteral(NS_SOURCE_DIR "/resources/experiments/postln_vs_preln.json");

}  // namespace

class CliProbe : public QObject {
    Q_OBJECT
private slots:
    void helpAndVersion();
    void probeWritesEveryFile();
    void probeIsDeterministicAcrossThreads();
    void badExperiments_data();
    void badExperiments();
    void badInitWeights_data();
    void badInitWeights();
    void initWeightsReplaceTheSeed();
    void unwritableOutputFolder_data();
    void unwritableOutputFolder();
    void badCommandLines_data();
    void badCommandLines();
    void unwritableOutput();
};

void CliProbe::helpAndVersion() {
    Result r = run({"--version"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.startsWith("normscope "));
    r = run({"--help"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.contains("normscope probe EXPERIMENT.json --out DIR"));
}

void CliProbe::probeWritesEveryFile() {
    QTemporaryDir dir;
    const Result r = run({"probe", kDefault, "--out", dir.path(), "--threads", "2"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    const ns::Experiment e = ns::load_experiment_file(kDefault.toStdString());
    // The resolved experiment reads back to the same experiment.
    const ns::Experiment back = ns::load_experiment_file((dir.path() + "/experiment.json").toStdString());
    QCOMPARE(ns::to_json(back).dump(), ns::to_json(e).dump());
    QCOMPARE(int(e.runs.size()), 2);
    for (const auto& run : e.runs) {
        const QString rd = dir.path() + "/" + QString::fromStdString(ns::file_safe_name(run.name));
        const int L = run.model.layers, T = run.train.seq_len, B = run.train.batch, V = run.model.vocab;
        const bool final_norm = run.model.final_norm_on();
        const QStringList ns_rows = read_lines(rd + "/norm_stats.csv");
        QCOMPARE(ns_rows.value(0), QString("step,site,layer,position,mean_in,var_in,mean_out,var_out"));
        QCOMPARE(ns_rows.size() - 1, (2 * L + (final_norm ? 1 : 0)) * T);
        // LayerNorm: every output row has mean ~0 and variance ~1 at initialisation (gamma 1, beta 0).
        for (int i = 1; i < ns_rows.size(); ++i) {
            const QStringList c = ns_rows[i].split(',');
            QCOMPARE(c.size(), 8);
            QVERIFY(std::abs(c[6].toDouble()) < 1e-5);
            QVERIFY(std::abs(c[7].toDouble() - 1.0) < 1e-3);
        }
        const QStringList g_rows = read_lines(rd + "/grad_norms.csv");
        QCOMPARE(g_rows.value(0), QString("step,name,layer,grad_norm,param_norm"));
        const QStringList r_rows = read_lines(rd + "/residual.csv");
        QCOMPARE(r_rows.value(0), QString("step,layer,hidden_rms,grad_rms"));
        QCOMPARE(r_rows.size() - 1, L + 1);
        const auto weights = ns::read_safetensors((rd + "/weights.safetensors").toStdString());
        const auto grads = ns::read_safetensors((rd + "/grads.safetensors").toStdString());
        QCOMPARE(grads.size(), weights.size());  // layernorm has no buffers
        QCOMPARE(int(g_rows.size() - 1), int(grads.size()));
        // Every gradient norm in the CSV is the norm of the tensor in grads.safetensors.
        for (int i = 1; i < g_rows.size(); ++i) {
            const QStringList c = g_rows[i].split(',');
            auto it = std::find_if(grads.begin(), grads.end(), [&](const ns::Tensor& t) { return t.name == c[1].toStdString(); });
            QVERIFY2(it != grads.end(), qPrintable(c[1]));
            double s = 0;
            for (float v : it->to_f32()) s += double(v) * v;
            QVERIFY(std::abs(std::sqrt(s) - c[3].toDouble()) <= 1e-6 * std::max(1.0, c[3].toDouble()));
        }
        const auto batch = ns::read_safetensors((rd + "/batch.safetensors").toStdString());
        QCOMPARE(int(batch.size()), 4);
        for (const auto& t : batch) {
            if (t.name == "input_ids" || t.name == "targets") {
                QCOMPARE(t.dtype, ns::DType::I64);
                QCOMPARE(t.shape, (std::vector<std::int64_t>{B, T}));
            } else if (t.name == "logits") {
                QCOMPARE(t.shape, (std::vector<std::int64_t>{B, T, V}));
            } else {
                QCOMPARE(t.name, std::string("loss"));
                QVERIFY(t.shape.empty());
                QVERIFY(t.to_f32()[0] > 0);
            }
        }
    }
}

void CliProbe::probeIsDeterministicAcrossThreads() {
    QTemporaryDir d1, d2;
    QCOMPARE(run({"probe", kDefault, "--out", d1.path(), "--threads", "1"}).exit_code, 0);
    QCOMPARE(run({"probe", kDefault, "--out", d2.path(), "--threads", "2"}).exit_code, 0);
    for (const QString f : {"Post-LN/norm_stats.csv", "Post-LN/grad_norms.csv", "Pre-LN/residual.csv",
                            "Pre-LN/grads.safetensors", "Post-LN/batch.safetensors"}) {
        QFile a(d1.path() + "/" + f), b(d2.path() + "/" + f);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QVERIFY2(a.readAll() == b.readAll(), qPrintable(f));
    }
}

void CliProbe::badExperiments_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("word");
    const QString base = QStringLiteral(NS_TEST_DATA_DIR "/bad_experiments/");
    const QStringList lines = read_lines(base + "expected.tsv");
    QVERIFY(lines.size() >= 20);
    for (const QString& line : lines) {
        const QStringList c = line.split('\t');
        if (c.size() != 3) continue;
        QTest::newRow(qPrintable(c[0])) << base + c[0] << c[1] << c[2];
    }
}

void CliProbe::badExperiments() {
    QFETCH(QString, file);
    QFETCH(QString, field);
    QFETCH(QString, word);
    QTemporaryDir dir;
    const Result r = run({"probe", file, "--out", dir.path() + "/out"});
    QVERIFY2(r.exit_code == 2, qPrintable(QString("exit %1: %2").arg(r.exit_code).arg(r.err)));
    QVERIFY2(r.err.contains(QFileInfo(file).fileName()), qPrintable(r.err));
    if (!field.isEmpty()) QVERIFY2(r.err.contains(field + ":"), qPrintable(r.err));
    QVERIFY2(r.err.contains(word, Qt::CaseInsensitive), qPrintable(r.err));
    QVERIFY2(!QFileInfo::exists(dir.path() + "/out/experiment.json"), "a refused experiment must write nothing");
}

void CliProbe::badCommandLines_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("word");
    QTest::newRow("no file") << QStringList{"probe", "--out", "/tmp/x"} << "experiment file";
    QTest::newRow("no out") << QStringList{"probe", kDefault} << "--out";
    QTest::newRow("missing file") << QStringList{"probe", "/nonexistent/e.json", "--out", "/tmp/x"} << "/nonexistent/e.json";
    QTest::newRow("threads zero") << QStringList{"probe", kDefault, "--out", "/tmp/x", "--threads", "0"} << "--threads";
    QTest::newRow("threads text") << QStringList{"probe", kDefault, "--out", "/tmp/x", "--threads", "two"} << "--threads";
    QTest::newRow("unknown option") << QStringList{"probe", kDefault, "--out", "/tmp/x", "--fast"} << "--fast";
    QTest::newRow("unknown command") << QStringList{"frobnicate", kDefault} << "frobnicate";
}

void CliProbe::badCommandLines() {
    QFETCH(QStringList, args);
    QFETCH(QString, word);
    const Result r = run(args);
    QVERIFY2(r.exit_code == 2, qPrintable(QString("exit %1: %2").arg(r.exit_code).arg(r.err)));
    QVERIFY2(r.err.contains(word), qPrintable(r.err));
}

void CliProbe::unwritableOutput() {
    QTemporaryDir dir;
    QFile blocker(dir.path() + "/file");
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const Result r = run({"probe", kDefault, "--out", dir.path() + "/file"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains(dir.path() + "/file"), qPrintable(r.err));
}

// Every file of tests/data/bad_safetensors through `probe --init` and `train --init`: exit 2,
// the file, the tensor and the reason named, nothing written.
void CliProbe::badInitWeights_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QString>("word");
    const QString base = QStringLiteral(NS_TEST_DATA_DIR "/bad_safetensors/");
    const QStringList lines = read_lines(base + "expected.tsv");
    QVERIFY(lines.size() >= 15);
    for (const QString& command : {"probe", "train"})
        for (const QString& line : lines) {
            const QStringList c = line.split('\t');
            QTest::newRow(qPrintable(command + QString(" ") + c[0])) << command << base + c[0] << c[1] << c[2];
        }
}

void CliProbe::badInitWeights() {
    QFETCH(QString, command);
    QFETCH(QString, file);
    QFETCH(QString, tensor);
    QFETCH(QString, word);
    QTemporaryDir dir;
    QStringList args{command, QStringLiteral(NS_TEST_DATA_DIR "/bad_safetensors/model.json"), "--out",
                     dir.path() + "/out", "--init", file};
    if (command == "train") args << "--steps" << "3";
    const Result r = run(args);
    QVERIFY2(r.exit_code == 2, qPrintable(QString("exit %1: %2").arg(r.exit_code).arg(r.err)));
    QVERIFY2(r.err.contains(file), qPrintable(r.err));
    if (!tensor.isEmpty()) QVERIFY2(r.err.contains(tensor), qPrintable(r.err));
    QVERIFY2(r.err.contains(word), qPrintable(r.err));
    QVERIFY2(!QFileInfo::exists(dir.path() + "/out/experiment.json"), "a refused input must write nothing");
}

// `--init` loads the weights of another seed exactly: a probe from them writes the very same
// weights file as the probe of that seed.
void CliProbe::initWeightsReplaceTheSeed() {
    using nstest::lines_of;
    using nstest::read_all;
    QTemporaryDir dir;
    const QString model = QStringLiteral(NS_TEST_DATA_DIR "/bad_safetensors/model.json");
    QVERIFY(run({"probe", model, "--out", dir.path() + "/seed3"}).exit_code == 0);
    nlohmann::json j = ns::to_json(ns::load_experiment_file(model.toStdString()));
    j["train"]["seed"] = 9;
    QFile f(dir.path() + "/seed9.json");
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(j.dump()));
    f.close();
    QVERIFY(run({"probe", f.fileName(), "--out", dir.path() + "/seed9"}).exit_code == 0);
    const QString w3 = dir.path() + "/seed3/Post-LN/weights.safetensors";
    QVERIFY(read_all(dir.path() + "/seed9/Post-LN/weights.safetensors") != read_all(w3));
    const Result r = run({"probe", f.fileName(), "--out", dir.path() + "/seed9init3", "--init", w3});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QCOMPARE(read_all(dir.path() + "/seed9init3/Post-LN/weights.safetensors"), read_all(w3));
    // train --init starts from them too: at step 0 every tensor's norm equals seed 3's (the
    // batches still follow seed 9).
    const Result t = run({"train", f.fileName(), "--out", dir.path() + "/train", "--init", w3, "--steps", "1", "--quiet"});
    QVERIFY2(t.exit_code == 0, qPrintable(t.err));
    const QStringList a = lines_of(dir.path() + "/train/Post-LN/grad_norms.csv");
    const QStringList b = lines_of(dir.path() + "/seed3/Post-LN/grad_norms.csv");
    QVERIFY(a.size() > 2 && b.size() > 2);
    for (int i = 1; i < b.size(); ++i) {
        QCOMPARE(a[i].section(',', 0, 2), b[i].section(',', 0, 2));  // step, name, layer
        QCOMPARE(a[i].section(',', 4, 4), b[i].section(',', 4, 4));  // param_norm
    }
}

void CliProbe::unwritableOutputFolder_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("word");
    static QTemporaryDir dir;
    QFile file(dir.path() + "/a-file");
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    for (const QString& c : {"probe", "train"}) {
        QTest::newRow(qPrintable(c + QString(" out is a file"))) << c << file.fileName() << "not a folder";
        QTest::newRow(qPrintable(c + QString(" out below a file"))) << c << file.fileName() + "/out" << "cannot create";
        QTest::newRow(qPrintable(c + QString(" out in /proc"))) << c << "/proc/normscope-out" << "cannot create";
    }
}

void CliProbe::unwritableOutputFolder() {
    QFETCH(QString, command);
    QFETCH(QString, out);
    QFETCH(QString, word);
    QStringList args{command, kDefault, "--out", out};
    if (command == "train") args << "--steps" << "2";
    const Result r = run(args);
    QVERIFY2(r.exit_code == 2, qPrintable(QString("exit %1: %2").arg(r.exit_code).arg(r.err)));
    QVERIFY2(r.err.contains(out) && r.err.contains(word), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(CliProbe)
#include "tst_cli_probe.moc"
