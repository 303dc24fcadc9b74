// The window, offscreen: it opens on the default experiment, trains in its worker thread, every
// chart holds exactly the engine's numbers, bad input is refused and nothing is lost, Pause and
// Step advance exactly one step, the models are built on the worker thread, and closing while
// training exits cleanly.
#include <QtTest>

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>

#include "engine/trainer.h"
#include "ui/curveschart.h"
#include "ui/experimentpanel.h"
#include "ui/gradnormchart.h"
#include "ui/heatmap.h"
#include "ui/mainwindow.h"
#include "ui/normstatschart.h"
#include "ui_test_helpers.h"

using namespace nsui;

namespace {

using nstest::short_default;
using nstest::wait_for;

QList<QPointF> points(QObject* root, const QString& name) {
    auto* s = root->findChild<QXYSeries*>(name);
    if (!s) qFatal("no series %s", qPrintable(name));
    return s->points();
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void defaultExperimentOpens();
    void chartsHoldTheEngineNumbers();
    void invalidValueIsRefused();
    void refusedFileKeepsExperiment();
    void saveIsAtomicAndReopens();
    void pauseAndStepAdvanceOneStep();
    void trainerIsBuiltOnTheWorker();
    void closeWhileTrainingExitsCleanly();
    void eventLoopStaysResponsive();
};

void MainWindowTest::initTestCase() {
    nstest::limit_qt_pool_for_tsan();
    QStandardPaths::setTestModeEnabled(true);  // settings go to a test location
    QCoreApplication::setOrganizationName("NormScopeTests");
    QCoreApplication::setApplicationName("tst_ui_mainwindow");
    QSettings().clear();
}

void MainWindowTest::defaultExperimentOpens() {
    MainWindow w(ns::default_experiment());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.experimentPanel()->experiment().name, std::string("Post-LN vs Pre-LN"));
    QCOMPARE(w.experimentPanel()->runsList()->count(), 2);
    QCOMPARE(w.tabs()->count(), 4);
    QVERIFY(w.experimentPanel()->isValid());
    QCOMPARE(w.controller().state(), TrainingController::State::Idle);
    QVERIFY(w.windowTitle().contains("Post-LN vs Pre-LN"));
}

void MainWindowTest::chartsHoldTheEngineNumbers() {
    const ns::Experiment e = short_default(50);
    MainWindow w(e);
    w.show();
    w.curvesChart()->findChild<QSlider*>("smoothing")->setValue(0);  // raw values
    w.controller().run();
    QVERIFY(wait_for([&] { return w.controller().state() == TrainingController::State::Finished; }));
    w.redrawNow();
    const SnapshotPtr s = w.controller().store().snapshot();
    QCOMPARE(int(s->runs.size()), 2);
    // An independent headless trainer on the same experiment: the window shows the engine's numbers.
    ns::Trainer reference(e, 1);
    RunStore ref;
    ref.reset(e, 50);
    reference.set_sink(&ref);
    reference.run();
    const SnapshotPtr r = ref.snapshot();
    for (int run = 0; run < 2; ++run) {
        const auto& m = s->runs[run].metrics;
        QCOMPARE(int(m.size()), 50);
        const auto loss = points(w.curvesChart(), QString("train_loss:%1").arg(run));
        const auto acc = points(w.curvesChart(), QString("train_acc:%1").arg(run));
        const auto val = points(w.curvesChart(), QString("val_loss:%1").arg(run));
        QCOMPARE(loss.size(), 50);
        QCOMPARE(val.size(), 5);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(loss[i].x(), double(m[i].step));
            QCOMPARE(loss[i].y(), m[i].train_loss);
            QCOMPARE(acc[i].y(), m[i].train_acc * 100.0);
            QCOMPARE(m[i].train_loss, r->runs[run].metrics[i].train_loss);  // same as a fresh engine run
        }
        // Norm statistics of the chosen site at the latest probe (step 50).
        const auto& probe = *s->runs[run].probes.back();
        QCOMPARE(probe.step, 50L);
        const auto var_out = points(w.normStatsChart(), QString("var_out:%1").arg(run));
        const auto* site = [&]() -> const ns::NormSiteProbe* {
            auto* combo = w.normStatsChart()->findChild<QComboBox*>("normSite");
            auto* layer = w.normStatsChart()->findChild<QWidget*>("normLayer");
            const std::string key = combo->currentData().toString().toStdString();
            const int l = layer->property("value").toInt();
            for (const auto& n : probe.probes.norms)
                if (n.site == key && (n.layer == l || n.layer == -1)) return &n;
            return nullptr;
        }();
        QVERIFY(site);
        const int T = probe.probes.seq_len, B = probe.probes.batch;
        QCOMPARE(var_out.size(), T);
        for (int t = 0; t < T; ++t) {
            double v = 0;
            for (int b = 0; b < B; ++b) v += site->var_out[b * T + t];
            QCOMPARE(var_out[t].y(), v / B);
        }
        // Gradient norms per layer at the latest probe, all parameters.
        const auto g = points(w.gradNormChart(), QString("gradnorm_at_step:%1").arg(run));
        QVERIFY(g.size() >= 6);
        for (const QPointF& p : g) {
            const int layer = int(p.x());
            if (layer < 0 || layer >= 6) continue;
            double ss = 0;
            for (const auto& t : probe.norms)
                if (t.layer == layer) ss += t.grad_norm * t.grad_norm;
            QVERIFY2(std::abs(p.y() - std::sqrt(ss)) <= 1e-12 * std::max(1.0, p.y()), qPrintable(QString::number(layer)));
        }
    }
    // The residual-stream heatmap holds hidden_rms per layer and probe step for its run.
    auto* heat = w.heatmapPanel()->findChild<HeatmapWidget*>("residualHeatmap");
    QVERIFY(heat);
    QVERIFY(heat->rows() == 7);
    QVERIFY(heat->cols() == int(s->runs[0].probes.size()));
}

void MainWindowTest::invalidValueIsRefused() {
    MainWindow w(ns::default_experiment());
    w.show();
    ExperimentPanel* p = w.experimentPanel();
    auto* heads = qobject_cast<QLineEdit*>(p->editor("model.heads"));
    QVERIFY(heads);
    heads->setText("3");
    QVERIFY(!p->isValid());
    QLabel* msg = p->messageLabel("model.heads");
    QVERIFY(msg->isVisible());
    QVERIFY2(msg->text().contains("divide"), qPrintable(msg->text()));
    QCOMPARE(p->experiment().model.heads, 4);  // the previous valid experiment is kept
    QCOMPARE(w.controller().experiment().model.heads, 4);
    heads->setText("abc");
    QVERIFY(p->messageLabel("model.heads")->text().contains("whole number"));
    heads->setText("8");
    QVERIFY(p->isValid());
    QVERIFY(!msg->isVisible());
    QCOMPARE(w.controller().experiment().model.heads, 8);
    // A run override that breaks the experiment is refused the same way.
    p->runsList()->setCurrentRow(1);
    p->overridesEditor()->setPlainText(R"({"model": {"placement": "upside-down"}})");
    QVERIFY(!p->isValid());
    QCOMPARE(p->experiment().runs[1].model.placement, ns::NormPlacement::Pre);
    QVERIFY(p->errors().join(' ').contains("runs[1].model.placement"));
}

void MainWindowTest::refusedFileKeepsExperiment() {
    MainWindow w(ns::default_experiment());
    const QString bad = QStringLiteral(NS_TEST_DATA_DIR "/bad_experiments/heads_do_not_divide.json");
    QVERIFY(!w.openFile(bad));
    QVERIFY2(w.lastMessage().contains("model.heads"), qPrintable(w.lastMessage()));
    QVERIFY(w.lastMessage().contains("heads_do_not_divide.json"));
    QCOMPARE(w.experimentPanel()->experiment().name, std::string("Post-LN vs Pre-LN"));
    QVERIFY(w.openFile(QStringLiteral(NS_SOURCE_DIR "/resources/experiments/deepnorm_24.json")));
    QCOMPARE(w.experimentPanel()->experiment().model.layers, 24);
}

void MainWindowTest::saveIsAtomicAndReopens() {
    QTemporaryDir dir;
    MainWindow w(ns::default_experiment());
    const QString path = dir.path() + "/e.json";
    QVERIFY(w.saveFile(path));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"e.json"});  // no temporary left
    const ns::Experiment back = ns::load_experiment_file(path.toStdString());
    QCOMPARE(ns::to_json(back).dump(), ns::to_json(w.experimentPanel()->experiment()).dump());
    QVERIFY(!w.saveFile(dir.path() + "/no/such/folder/e.json"));  // refused, says so
    QVERIFY(!w.lastMessage().isEmpty());
}

void MainWindowTest::pauseAndStepAdvanceOneStep() {
    MainWindow w(short_default(400));
    w.show();
    TrainingController& c = w.controller();
    c.step();  // from idle: starts paused and trains exactly one step
    QVERIFY(wait_for([&] { return c.store().snapshot()->step == 1; }));
    QTest::qWait(100);
    QCOMPARE(c.store().snapshot()->step, 1L);
    QCOMPARE(c.state(), TrainingController::State::Paused);
    c.step();
    QVERIFY(wait_for([&] { return c.store().snapshot()->step == 2; }));
    QTest::qWait(100);
    QCOMPARE(c.store().snapshot()->step, 2L);
    c.run();
    QVERIFY(wait_for([&] { return c.store().snapshot()->step >= 10; }));
    c.pause();
    QVERIFY(wait_for([&] { return c.heldPaused(); }));  // the step in flight, if any, has completed
    QTest::qWait(20);  // and its results have reached the store
    const long at = c.store().snapshot()->step;
    QTest::qWait(150);
    QCOMPARE(c.store().snapshot()->step, at);
    c.step();
    QVERIFY(wait_for([&] { return c.store().snapshot()->step == at + 1; }));
    QTest::qWait(100);
    QCOMPARE(c.store().snapshot()->step, at + 1);
    c.reset();
    QCOMPARE(c.state(), TrainingController::State::Idle);
    QCOMPARE(c.store().snapshot()->step, 0L);
}

// Run does not build the models on the GUI thread: it returns at once in Preparing, and the
// worker's trainer (or the reason it could not be built) arrives through the event loop. What
// the user asks for meanwhile is carried out when it arrives.
void MainWindowTest::trainerIsBuiltOnTheWorker() {
    using S = TrainingController::State;
    TrainingController c;
    c.setExperiment(short_default(30));
    c.run();
    QCOMPARE(c.state(), S::Preparing);  // built synchronously, it would already be Running
    QVERIFY(c.busy());
    QVERIFY(wait_for([&] { return c.state() == S::Finished; }));
    QCOMPARE(c.store().snapshot()->step, 30L);

    // Cancelled while preparing: nothing trains, and Run then trains from step 0.
    c.reset();
    c.run();
    QCOMPARE(c.state(), S::Preparing);
    c.cancel();
    QCOMPARE(c.state(), S::Idle);
    QTest::qWait(200);  // the abandoned build, if it got that far, is not taken up
    QCOMPARE(c.state(), S::Idle);
    QCOMPARE(c.store().snapshot()->step, 0L);
    c.run();
    QVERIFY(wait_for([&] { return c.state() == S::Finished; }));
    QCOMPARE(c.store().snapshot()->step, 30L);

    // Paused and stepped twice while preparing: exactly two steps, then held.
    c.reset();
    c.run();
    c.pause();
    c.step();
    c.step();
    QCOMPARE(c.state(), S::Preparing);
    QVERIFY(wait_for([&] { return c.store().snapshot()->step == 2 && c.heldPaused(); }));
    QTest::qWait(100);
    QCOMPARE(c.store().snapshot()->step, 2L);
    QCOMPARE(c.state(), S::Paused);
    c.reset();

    // Data refused by the worker: Failed, with the engine's reason, and nothing thrown here.
    nlohmann::json j = ns::to_json(short_default(30));
    j["train"]["task"] = "text";
    j["train"]["text_file"] = "/no/such/folder/corpus.txt";
    j["model"]["causal"] = true;
    c.setExperiment(ns::parse_experiment(j));
    QString reported;
    connect(&c, &TrainingController::failed, &c, [&](const QString& m) { reported = m; });
    c.run();
    QCOMPARE(c.state(), S::Preparing);
    QVERIFY(wait_for([&] { return c.state() == S::Failed; }));
    QVERIFY2(reported.contains("corpus.txt"), qPrintable(reported));
    QCOMPARE(c.lastError(), reported);

    // In the window: Pause works while the models are built, and says so.
    {
        MainWindow w(short_default(30));
        w.show();
        auto* runA = w.findChild<QAction*>("runAction");
        auto* pauseA = w.findChild<QAction*>("pauseAction");
        auto* label = w.findChild<QLabel*>("stateLabel");
        QVERIFY(runA && pauseA && label);
        w.controller().run();
        QCOMPARE(w.controller().state(), S::Preparing);
        QVERIFY(pauseA->isEnabled());
        QVERIFY(!runA->isEnabled());
        pauseA->trigger();
        QVERIFY(w.controller().startsPaused());
        QVERIFY(!pauseA->isEnabled());
        QVERIFY(runA->isEnabled());
        QVERIFY2(label->text().contains("will start paused"), qPrintable(label->text()));
        QVERIFY(wait_for([&] { return w.controller().heldPaused(); }));
        QTest::qWait(100);
        QCOMPARE(w.controller().store().snapshot()->step, 0L);
        QCOMPARE(w.controller().state(), S::Paused);
    }

    // Destroyed while the worker builds: it waits for the worker and exits cleanly.
    auto* d = new TrainingController;
    d->setExperiment(short_default(30));
    d->run();
    QCOMPARE(d->state(), S::Preparing);
    delete d;
}

void MainWindowTest::closeWhileTrainingExitsCleanly() {
    auto* w = new MainWindow(short_default(100000));
    w->show();
    w->controller().run();
    QVERIFY(wait_for([&] { return w->controller().store().snapshot()->step >= 5; }));
    QElapsedTimer t;
    t.start();
    w->close();
    delete w;  // cancels and joins the worker thread
    qInfo("closed while training in %lld ms", static_cast<long long>(t.elapsed()));
}

void MainWindowTest::eventLoopStaysResponsive() {
    // A 10 ms timer's lateness while the default experiment trains: printed, not asserted.
    MainWindow w(short_default(nstest::steps_for_build(400)));
    w.show();
    w.controller().run();
    std::vector<double> late;
    QElapsedTimer clock;
    clock.start();
    qint64 expected = 10;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(10);
    connect(&timer, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        late.push_back(double(now - expected));
        expected = now + 10;
    });
    timer.start();
    QVERIFY(wait_for([&] { return w.controller().state() == TrainingController::State::Finished; }, 600000));
    timer.stop();
    std::sort(late.begin(), late.end());
    QVERIFY(late.size() > 10);
    const double p50 = late[late.size() / 2], p99 = late[std::min(late.size() - 1, late.size() * 99 / 100)];
    qInfo("event-loop latency while training (%zu ticks): p50 %.1f ms, p99 %.1f ms, max %.1f ms", late.size(), p50, p99,
          late.back());
}

QTEST_MAIN(MainWindowTest)
#include "tst_ui_mainwindow.moc"
