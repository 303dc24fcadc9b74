// Hostile conditions in the window, offscreen: a restore after a kill -9 of a headless run and
// after the window itself went away, closing while several large runs train, a diverging run's
// charts, and every refused file of the corpus leaving the current experiment untouched.
#include <QtTest>

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QListWidget>
#include <QLogValueAxis>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QValueAxis>

#include <cmath>

#include "cli_process.h"
#include "engine/run_writer.h"
#include "engine/session.h"
#include "ui/autosaver.h"
#include "ui/experimentpanel.h"
#include "ui/mainwindow.h"
#include "ui_test_helpers.h"

using namespace nsui;
using nstest::short_default;
using nstest::wait_for;

class HardeningTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void restoreAfterKilledHeadlessTrain();
    void restoreAfterWindowWentAway();
    void discardForgets();
    void closeWhileSeveralLargeRunsTrain();
    void divergedRunLeavesNoNaNInAxes();
    void corpusRefusedInWindow();

private:
    QTemporaryDir state_;
};

void HardeningTest::initTestCase() {
    nstest::limit_qt_pool_for_tsan();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NormScopeTests");
    QCoreApplication::setApplicationName("tst_ui_hardening");
    QSettings().clear();
}

void HardeningTest::init() {
    QVERIFY(state_.isValid());
    QDir(state_.path()).removeRecursively();
    QDir().mkpath(state_.path());
    qputenv("NORMSCOPE_STATE_DIR", state_.path().toUtf8());
}

void HardeningTest::restoreAfterKilledHeadlessTrain() {
    QTemporaryDir out;
    const QString exp = QStringLiteral(NS_SOURCE_DIR "/resources/experiments/postln_vs_preln.json");
    const nstest::KilledTrain k = nstest::train_then_kill(state_.path(), exp, out.path() + "/run");
    QVERIFY2(k.ok, qPrintable(k.why));
    qInfo("headless train killed; %.1f s lost, saved step %ld", k.lost_seconds, k.saved_step);

    MainWindow w(ns::default_experiment());
    w.show();
    QVERIFY(wait_for([&] { return w.restoreBar()->isVisible(); }, 5000));
    const QString text = w.restoreBar()->findChild<QLabel*>("restoreText")->text();
    QVERIFY2(text.contains(QString::number(k.saved_step)) && text.contains(out.path()), qPrintable(text));
    w.restoreBar()->findChild<QPushButton*>("restoreButton")->click();
    const SnapshotPtr s = w.controller().store().snapshot();
    QCOMPARE(int(s->runs.size()), 2);
    for (const RunSeries& r : s->runs) QCOMPARE(long(r.metrics.size()), k.saved_step);
    QCOMPARE(s->step, k.saved_step);
    QVERIFY(!w.restoreBar()->isVisible());
    QVERIFY(!s->runs[0].probes.empty());
    // The record is forgotten, the user's folder kept.
    QVERIFY(ns::orphaned_sessions().empty());
    QVERIFY(QFile::exists(out.path() + "/run/Post-LN/metrics.csv"));
}

void HardeningTest::restoreAfterWindowWentAway() {
    std::vector<std::string> before;
    long saved = 0;
    {
        MainWindow w(short_default(100000));
        w.autosaver().setIntervalMs(300);
        w.show();
        w.controller().run();
        QVERIFY(wait_for([&] { return w.controller().store().snapshot()->step >= 30; }));
        w.controller().pause();
        QVERIFY(wait_for([&] { return w.controller().heldPaused(); }));
        const SnapshotPtr s = w.controller().store().snapshot();
        QVERIFY(wait_for([&] { return w.autosaver().savedStep() == s->step; }, 10000));
        saved = s->step;
        for (const auto& m : s->runs[1].metrics) before.push_back(std::to_string(m.step) + ":" + std::to_string(m.train_loss));
        w.autosaver().abandonForTest();  // as if the process had been killed here
    }
    qInfo("window saved step %ld before going away", saved);
    MainWindow w2(ns::default_experiment());
    w2.show();
    QVERIFY(wait_for([&] { return w2.restoreBar()->isVisible(); }, 5000));
    QVERIFY(w2.restoreBar()->findChild<QLabel*>("restoreText")->text().contains(QString::number(saved)));
    w2.restoreOffered();
    const SnapshotPtr s = w2.controller().store().snapshot();
    QCOMPARE(s->step, saved);
    std::vector<std::string> after;
    for (const auto& m : s->runs[1].metrics) after.push_back(std::to_string(m.step) + ":" + std::to_string(m.train_loss));
    QCOMPARE(after, before);
    QCOMPARE(w2.experimentPanel()->experiment().train.steps, 100000);
    // Saved again under the new window's session, then the old autosave is forgotten.
    QVERIFY(wait_for([&] { return w2.autosaver().saves() >= 1; }, 10000));
    QVERIFY(ns::orphaned_sessions().empty());
    const QStringList dirs = QDir(state_.path() + "/autosave").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY2(dirs.size() == 1, qPrintable(dirs.join(", ") + " / own session " + w2.autosaver().sessionId()));
    // Run trains afresh from the restored experiment.
    w2.controller().run();
    QVERIFY(wait_for([&] { return w2.controller().store().snapshot()->step >= 2; }));
    w2.close();
}

void HardeningTest::discardForgets() {
    {  // a window that went away before training anything: not offered, forgotten
        ns::Session s("window", "", "", "nothing trained");
        ns::RunWriter writer(short_default(5), s.record().results_dir);
        s.abandon();
    }
    {
        ns::Session s("window", "", "", "A");
        ns::RunWriter writer(short_default(5), s.record().results_dir);
        s.saved(3, 5);
        s.abandon();
    }
    MainWindow w(ns::default_experiment());
    w.show();
    QVERIFY(wait_for([&] { return w.restoreBar()->isVisible(); }, 5000));
    w.restoreBar()->findChild<QPushButton*>("discardButton")->click();
    QVERIFY(!w.restoreBar()->isVisible());
    QVERIFY(ns::orphaned_sessions().empty());
    QCOMPARE(QDir(state_.path() + "/autosave").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 0);
}

// Issue 6: closing while several runs of config M train exits cleanly, and soon (the time is
// printed against the 1000 ms target).
void HardeningTest::closeWhileSeveralLargeRunsTrain() {
    nlohmann::json j = ns::to_json(ns::default_experiment());
    j["model"].update({{"layers", 12}, {"d_model", 256}, {"heads", 8}, {"d_ff", 1024}, {"vocab", 64}, {"max_len", 64}});
    j["train"].update({{"seq_len", 64}, {"batch", 32}, {"steps", 1000}});
    j["runs"] = {{{"name", "Post-LN"}, {"model", {{"placement", "post"}}}},
                 {{"name", "Pre-LN"}, {"model", {{"placement", "pre"}}}},
                 {{"name", "RMSNorm"}, {"model", {{"placement", "pre"}, {"norm", "rmsnorm"}}}},
                 {{"name", "no norm"}, {"model", {{"placement", "pre"}, {"norm", "none"}}}}};
    std::vector<double> ms;
    for (int delay : {-1, 300, 1200}) {
        auto* w = new MainWindow(ns::parse_experiment(j));
        w->show();
        w->controller().run();
        if (delay < 0) {  // while the worker builds the four models (a couple of seconds)
            QCOMPARE(w->controller().state(), TrainingController::State::Preparing);
            QTest::qWait(300);
        } else {
            QVERIFY(wait_for([&] { return w->controller().state() == TrainingController::State::Running; }));
            QTest::qWait(delay);  // mid-step: a step of four M runs takes seconds
        }
        QElapsedTimer t;
        t.start();
        w->close();
        delete w;  // cancels, joins the worker thread, forgets the session
        ms.push_back(double(t.elapsed()));
    }
    qInfo("4 runs of config M: the window closed in %.0f ms while building, %.0f and %.0f ms while training (target 1000 ms)",
          ms[0], ms[1], ms[2]);
    // Printed, not asserted (a shared machine's clock proves nothing): the model looks at the
    // cancel flag between every two blocks (tst_engine_model, cancelLooksBetweenEveryBlock).
    QVERIFY(ns::orphaned_sessions().empty());
}

// A run that explodes: every chart axis of every tab stays finite.
void HardeningTest::divergedRunLeavesNoNaNInAxes() {
    nlohmann::json j = ns::to_json(short_default(60));
    j["runs"][1]["model"] = {{"norm", "none"}, {"placement", "pre"}};
    j["runs"][1]["train"] = {{"optimizer", "sgd"}, {"lr", 30.0}, {"momentum", 0.9}};
    j["runs"][1]["name"] = "exploding";
    MainWindow w(ns::parse_experiment(j));
    w.show();
    w.controller().run();
    QVERIFY(wait_for([&] { return w.controller().state() == TrainingController::State::Finished; }, 600000));
    const SnapshotPtr s = w.controller().store().snapshot();
    QVERIFY2(s->runs[1].status.diverged, "the lr 30 run should diverge");
    qInfo("diverged at step %ld: %s", s->runs[1].status.diverged_step, s->runs[1].status.cause.c_str());
    int checked = 0;
    for (int tab = 0; tab < w.tabs()->count(); ++tab) {
        w.tabs()->setCurrentIndex(tab);
        w.redrawNow();
        QCoreApplication::processEvents();
        for (QChartView* v : w.tabs()->widget(tab)->findChildren<QChartView*>())
            for (QAbstractAxis* a : v->chart()->axes()) {
                double lo = 0, hi = 0;
                if (auto* va = qobject_cast<QValueAxis*>(a)) lo = va->min(), hi = va->max();
                else if (auto* la = qobject_cast<QLogValueAxis*>(a)) lo = la->min(), hi = la->max();
                else continue;
                QVERIFY2(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
                         qPrintable(QString("tab %1 axis '%2': [%3, %4]").arg(tab).arg(a->titleText()).arg(lo).arg(hi)));
                ++checked;
            }
    }
    qInfo("%d axes checked", checked);
    QVERIFY(checked >= 6);
}

// Every refused file of tests/data/bad_experiments through the window's open path: a visible
// message naming the field, the experiment untouched.
void HardeningTest::corpusRefusedInWindow() {
    MainWindow w(ns::default_experiment());
    w.show();
    const std::string before = ns::to_json(w.experimentPanel()->experiment()).dump();
    const QString dir = QStringLiteral(NS_TEST_DATA_DIR "/bad_experiments/");
    int n = 0;
    for (const QString& line : nstest::lines_of(dir + "expected.tsv")) {
        const QStringList cols = line.split('\t');
        const QString file = cols[0], field = cols[1], reason = cols[2];
        QVERIFY2(!w.openFile(dir + file), qPrintable(file));
        QVERIFY2(w.lastMessage().contains(file), qPrintable(file + ": " + w.lastMessage()));
        if (!field.isEmpty()) QVERIFY2(w.lastMessage().contains(field), qPrintable(file + ": " + w.lastMessage()));
        QVERIFY2(w.lastMessage().contains(reason), qPrintable(file + ": " + w.lastMessage()));
        QCOMPARE(ns::to_json(w.experimentPanel()->experiment()).dump(), before);
        for (QWidget* box : w.findChildren<QWidget*>("errorBox")) box->close();
        ++n;
    }
    qInfo("%d refused files, the experiment untouched after each", n);
    QVERIFY(n >= 38);
}

QTEST_MAIN(HardeningTest)
#include "tst_ui_hardening.moc"
