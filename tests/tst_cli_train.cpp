// The real `normscope train`: every file with SPEC headers, bit-identical across runs and thread
// counts, a diverging run recorded as a result, and the text task learning from the shipped corpus.
#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include "cli_process.h"
#include "engine/session.h"

namespace {

using nstest::lines_of;
using nstest::read_all;
using nstest::Result;
Result run(const QStringList& args) { return nstest::run_normscope(args); }

const QString kTiny = QStringLiteral(NS_TEST_DATA_DIR "/tiny.json");

}  // namespace

class CliTrain : public QObject {
    Q_OBJECT
private slots:
    void writesEveryFile();
    void bitIdenticalAcrossRunsAndThreads();
    void divergedRunIsAResult();
    void stepsOverrideAndQuiet();
    void textTaskLowersLoss();
    void missingTextFileIsRefused();
    void killedRunLosesAtMostTenSeconds();
};

void CliTrain::writesEveryFile() {
    QTemporaryDir dir;
    const Result r = run({"train", kTiny, "--out", dir.path()});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY(r.err.contains("steps/s"));
    QVERIFY(QFileInfo::exists(dir.path() + "/experiment.json"));
    const QString d = dir.path() + "/Post-LN";
    const QStringList m = lines_of(d + "/metrics.csv");
    QCOMPARE(m.value(0), QString("step,lr,train_loss,train_acc,val_loss,val_acc,grad_norm,diverged"));
    QCOMPARE(m.size(), 31);
    for (int i = 1; i < m.size(); ++i) {
        const QStringList c = m[i].split(',');
        QCOMPARE(c.size(), 8);
        QCOMPARE(c[0].toInt(), i);
        QCOMPARE(c[4].isEmpty(), i % 10 != 0);  // validation every 10 steps
        QCOMPARE(c[7], QString("0"));
    }
    QCOMPARE(lines_of(d + "/norm_stats.csv").value(0), QString("step,site,layer,position,mean_in,var_in,mean_out,var_out"));
    QCOMPARE(lines_of(d + "/grad_norms.csv").value(0), QString("step,name,layer,grad_norm,param_norm"));
    const QStringList res = lines_of(d + "/residual.csv");
    QCOMPARE(res.value(0), QString("step,layer,hidden_rms,grad_rms"));
    // probes at steps 0, 10, 20 during training and 30 after the last update; 3 rows each (L = 2)
    QCOMPARE(res.size(), 1 + 4 * 3);
    QCOMPARE(res.last().split(',').value(0), QString("30"));
    QVERIFY(read_all(d + "/weights.safetensors").size() > 1000);
    // A run name with a comma and a space gets a file-safe folder.
    QVERIFY(QFileInfo::exists(dir.path() + "/Pre-LN_BatchNorm/metrics.csv"));
}

void CliTrain::bitIdenticalAcrossRunsAndThreads() {
    QTemporaryDir a, b, c;
    QCOMPARE(run({"train", kTiny, "--out", a.path(), "--threads", "2", "--quiet"}).exit_code, 0);
    QCOMPARE(run({"train", kTiny, "--out", b.path(), "--threads", "2", "--quiet"}).exit_code, 0);
    QCOMPARE(run({"train", kTiny, "--out", c.path(), "--threads", "1", "--quiet"}).exit_code, 0);
    for (const QString f : {"Post-LN/metrics.csv", "Pre-LN_BatchNorm/metrics.csv", "Pre-LN_BatchNorm/norm_stats.csv",
                            "Post-LN/grad_norms.csv", "Post-LN/weights.safetensors", "exploding/metrics.csv"}) {
        const QByteArray x = read_all(a.path() + "/" + f);
        QVERIFY2(!x.isEmpty(), qPrintable(f));
        QVERIFY2(x == read_all(b.path() + "/" + f), qPrintable("two runs differ: " + f));
        QVERIFY2(x == read_all(c.path() + "/" + f), qPrintable("1 and 2 threads differ: " + f));
    }
}

void CliTrain::divergedRunIsAResult() {
    QTemporaryDir dir;
    const Result r = run({"train", kTiny, "--out", dir.path()});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.err.contains("exploding: diverged at step"), qPrintable(r.err));
    const QStringList m = lines_of(dir.path() + "/exploding/metrics.csv");
    QVERIFY(m.size() >= 2 && m.size() < 31);
    for (int i = 1; i < m.size(); ++i) QCOMPARE(m[i].split(',').size(), 8);  // well formed to the end
    QCOMPARE(m.last().split(',').value(7), QString("1"));
    for (int i = 1; i + 1 < m.size(); ++i) QCOMPARE(m[i].split(',').value(7), QString("0"));
    QCOMPARE(lines_of(dir.path() + "/Post-LN/metrics.csv").size(), 31);  // the others went on
}

void CliTrain::stepsOverrideAndQuiet() {
    QTemporaryDir dir;
    const Result r = run({"train", kTiny, "--out", dir.path(), "--steps", "7", "--quiet", "--threads", "1"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QCOMPARE(lines_of(dir.path() + "/Post-LN/metrics.csv").size(), 8);
    QVERIFY(read_all(dir.path() + "/experiment.json").contains("\"steps\": 7"));
}

void CliTrain::textTaskLowersLoss() {
    QTemporaryDir dir;
    const Result r = run({"train", QStringLiteral(NS_TEST_DATA_DIR "/text_small.json"), "--out", dir.path(), "--quiet"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    const QStringList m = lines_of(dir.path() + "/text_small/metrics.csv");
    QCOMPARE(m.size(), 151);
    const double first = m[1].split(',')[2].toDouble();
    const double last_val = m.last().split(',')[4].toDouble();
    qInfo("text task: first training loss %.3f, validation loss after 150 steps %.3f", first, last_val);
    QVERIFY(last_val < first - 1.0);
}

void CliTrain::missingTextFileIsRefused() {
    QTemporaryDir dir;
    QFile f(dir.path() + "/e.json");
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "normscope-experiment", "version": 1, "model": {"causal": true},
               "train": {"task": "text", "text_file": "nowhere.txt"}})");
    f.close();
    const Result r = run({"train", dir.path() + "/e.json", "--out", dir.path() + "/out"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("text_file") && r.err.contains("nowhere.txt"), qPrintable(r.err));
}

// Issue 6: `train` saves every 5 seconds and registers itself; a kill -9 leaves complete files
// up to the last checkpoint and a record the window offers to restore.
void CliTrain::killedRunLosesAtMostTenSeconds() {
    QTemporaryDir state, out;
    const QString exp = QStringLiteral(NS_SOURCE_DIR "/resources/experiments/postln_vs_preln.json");
    const nstest::KilledTrain k = nstest::train_then_kill(state.path(), exp, out.path() + "/run");
    QVERIFY2(k.ok, qPrintable(k.why));
    qInfo("killed at about step %.0f (%.1f steps/s); saved step %ld: %.1f s of training lost (at most 10 allowed)",
          k.printed_step + k.rate * k.since_print_s, k.rate, k.saved_step, k.lost_seconds);
    QVERIFY(k.saved_step > 0);
    QVERIFY2(k.lost_seconds <= 10.0, qPrintable(QString("lost %1 s").arg(k.lost_seconds)));
    // Complete files up to the saved step, no temporary left behind.
    for (const QString run : {"Post-LN", "Pre-LN"}) {
        const QStringList m = lines_of(out.path() + "/run/" + run + "/metrics.csv");
        QCOMPARE(long(m.size() - 1), k.saved_step);
        QVERIFY2(m.last().count(',') == 7, qPrintable(m.last()));
        QVERIFY(QDir(out.path() + "/run/" + run).entryList({".*tmp*"}, QDir::Files | QDir::Hidden).isEmpty());
    }
    // The window finds it: the record's lock is free now.
    qputenv("NORMSCOPE_STATE_DIR", state.path().toUtf8());
    const auto orphans = ns::orphaned_sessions();
    QCOMPARE(int(orphans.size()), 1);
    QCOMPARE(orphans[0].kind, std::string("train"));
    QCOMPARE(orphans[0].saved_step, k.saved_step);
    // and `render` draws what was saved
    const Result r = run({"render", out.path() + "/run", "--out", out.path() + "/charts", "--format", "svg"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

QTEST_GUILESS_MAIN(CliTrain)
#include "tst_cli_train.moc"
