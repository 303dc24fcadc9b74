// Export: every chart as PNG, SVG and PDF that parse; the CSV behind a chart equals the engine's
// numbers; an "Export all" bundle reopens and retrains to bit-identical metrics; `normscope
// render` draws a train result offscreen; presentation mode enlarges and restores; pictures leave
// the tabs' controls out (and say what they were set to) and the tabs look the same afterwards.
#include <QtTest>

#include <QChartView>
#include <QImage>
#include <QProcess>
#include <QSlider>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QToolBar>
#include <QXYSeries>

#include "engine/results.h"
#include "engine/run_writer.h"
#include "engine/trainer.h"
#include "ui/chartexport.h"
#include "ui/experimentpanel.h"
#include "ui/mainwindow.h"
#include "ui_test_helpers.h"

using namespace nsui;

namespace {

using nstest::short_default;

bool wait_finished(MainWindow& w) {
    return nstest::wait_for([&] { return w.controller().state() == TrainingController::State::Finished; });
}

QByteArray read_all(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void check_image_files(const QString& base) {
    QImage png(base + ".png");
    QVERIFY2(!png.isNull(), qPrintable(base + ".png"));
    QVERIFY(png.width() > 200 && png.height() > 200);
    QSvgRenderer svg(base + ".svg");
    QVERIFY2(svg.isValid(), qPrintable(base + ".svg"));
    const QByteArray pdf = read_all(base + ".pdf");
    QVERIFY2(pdf.startsWith("%PDF-"), qPrintable(base + ".pdf"));
    QCOMPARE(pdf.count("/Type /Page\n") + pdf.count("/Type /Page ") + pdf.count("/Type /Page>"), 1);
    QVERIFY(pdf.trimmed().endsWith("%%EOF"));
}

}  // namespace

class ExportTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void chartsExportAndParse();
    void csvEqualsEngineNumbers();
    void bundleReopensAndRetrainsIdentically();
    void renderOffscreen();
    void presentationMode();
    void picturesLeaveControlsOut();

private:
    std::unique_ptr<MainWindow> window_;
};

void ExportTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NormScopeTests");
    QCoreApplication::setApplicationName("tst_ui_export");
    QSettings().clear();
    window_ = std::make_unique<MainWindow>(short_default(40));
    window_->resize(1400, 900);
    window_->show();
    window_->controller().run();
    QVERIFY(wait_finished(*window_));
}

void ExportTest::chartsExportAndParse() {
    QTemporaryDir dir;
    for (int tab = 0; tab < 4; ++tab) {
        const QString base = dir.filePath(MainWindow::chartName(tab));
        window_->tabs()->setCurrentIndex(tab);
        QCoreApplication::processEvents();
        QVERIFY(window_->exportChart(tab, base + ".png", 2.0));
        QVERIFY(window_->exportChart(tab, base + ".svg"));
        QVERIFY(window_->exportChart(tab, base + ".pdf"));
        check_image_files(base);
        // PNG at the chosen scale: twice the widget's size.
        const QImage png(base + ".png");
        QCOMPARE(png.width(), 2 * window_->tabs()->widget(tab)->width());
    }
    QVERIFY(!window_->exportChart(0, dir.filePath("chart.bmp")));  // refused with a message
    QVERIFY(window_->lastMessage().contains(".png"));
}

void ExportTest::csvEqualsEngineNumbers() {
    QTemporaryDir dir;
    const QString path = dir.filePath("curves.csv");
    QVERIFY(window_->exportChart(0, path));
    const QStringList lines = QString::fromUtf8(read_all(path)).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), QString("run,step,lr,train_loss,train_acc,val_loss,val_acc,grad_norm,diverged"));
    const SnapshotPtr s = window_->controller().store().snapshot();
    QCOMPARE(lines.size(), 1 + 40 * 2);
    for (int run = 0; run < 2; ++run)
        for (int i = 0; i < 40; ++i) {
            const QStringList c = lines[1 + run * 40 + i].split(',');
            const ns::StepMetrics& m = s->runs[run].metrics[i];
            QCOMPARE(c[0], s->runs[run].name);
            QCOMPARE(c[1].toLong(), m.step);
            QCOMPARE(c[3].toDouble(), m.train_loss);  // shortest round-trip text: exact
            QCOMPARE(c[7].toDouble(), m.grad_norm);
        }
    QVERIFY(window_->exportChart(1, dir.filePath("normstats.csv")));
    const QStringList ns_lines = QString::fromUtf8(read_all(dir.filePath("normstats.csv"))).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(ns_lines.first(), QString("run,step,site,layer,position,mean_in,var_in,mean_out,var_out"));
    QVERIFY(ns_lines.size() > 100);
}

void ExportTest::bundleReopensAndRetrainsIdentically() {
    QTemporaryDir bundle, retrained;
    QStringList written;
    QVERIFY(window_->exportAll(bundle.path(), &written));
    QVERIFY(written.size() >= 1 + 2 * 5 + 4 * 4);
    for (const char* chart : {"curves", "normstats", "gradnorms", "heatmaps"}) check_image_files(bundle.filePath(QString("charts/") + chart));
    // The bundle's experiment, trained headless, gives the bundle's CSV files byte for byte.
    const ns::Experiment e = ns::load_experiment_file(bundle.filePath("experiment.json").toStdString());
    ns::Trainer t(e, 2);
    ns::RunWriter writer(e, retrained.path().toStdString());
    t.set_sink(&writer);
    QVERIFY(t.run());
    writer.finish(t);
    for (const QString run : {"Post-LN", "Pre-LN"})
        for (const QString f : {"metrics.csv", "eval_gap.csv", "norm_stats.csv", "grad_norms.csv", "residual.csv"}) {
            const QByteArray a = read_all(bundle.filePath(run + "/" + f)), b = read_all(retrained.filePath(run + "/" + f));
            QVERIFY2(!a.isEmpty() && a == b, qPrintable(run + "/" + f));
        }
    // And the window reopens it.
    MainWindow other(ns::default_experiment());
    QVERIFY(other.openFile(bundle.filePath("experiment.json")));
    QCOMPARE(other.experimentPanel()->experiment().train.steps, 40);
}

void ExportTest::renderOffscreen() {
    QTemporaryDir result, charts;
    QProcess train;
    train.start(QStringLiteral(NS_NORMSCOPE_BIN),
                {"train", QStringLiteral(NS_TEST_DATA_DIR "/tiny.json"), "--out", result.path(), "--quiet"});
    QVERIFY(train.waitForFinished(120000));
    QCOMPARE(train.exitCode(), 0);
    QProcess render;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    render.setProcessEnvironment(env);
    render.start(QStringLiteral(NS_NORMSCOPE_BIN), {"render", result.path(), "--out", charts.path(), "--format", "png,svg,pdf"});
    QVERIFY(render.waitForFinished(120000));
    QVERIFY2(render.exitCode() == 0, render.readAllStandardError().constData());
    for (const char* chart : {"curves", "normstats", "gradnorms", "heatmaps"}) check_image_files(charts.filePath(chart));
    // Bad input: a folder with no experiment is refused with exit status 2.
    QProcess bad;
    bad.setProcessEnvironment(env);
    bad.start(QStringLiteral(NS_NORMSCOPE_BIN), {"render", charts.path(), "--out", charts.filePath("x")});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("experiment.json"));
}

void ExportTest::presentationMode() {
    MainWindow& w = *window_;
    const qreal before = w.font().pointSizeF();
    auto* view = w.findChild<QChartView*>();
    QVERIFY(view);
    QXYSeries* series = nullptr;
    for (auto* s : view->chart()->series())
        if ((series = qobject_cast<QXYSeries*>(s))) break;
    QVERIFY(series);
    const qreal pen = series->pen().widthF();
    w.setPresentationMode(true);
    QVERIFY(w.presentationMode());
    QVERIFY(w.font().pointSizeF() > before * 1.4);
    QVERIFY(series->pen().widthF() >= std::max(3.0, pen * 2));
    QVERIFY(!w.findChild<QAction*>("resetAction")->isVisible());
    QVERIFY(w.findChild<QAction*>("runAction")->isVisible());
    w.setPresentationMode(false);
    QCOMPARE(w.font().pointSizeF(), before);
    QCOMPARE(series->pen().widthF(), pen);
    QVERIFY(w.findChild<QAction*>("resetAction")->isVisible());
}

void ExportTest::picturesLeaveControlsOut() {
    QTemporaryDir dir;
    // Text of each tab's controls, which the picture must not show, and of what it must show.
    const struct {
        QList<const char*> absent;
        QList<const char*> present;
    } text[4] = {{{"Smoothing", "Log-scale loss", "Hide validation"},
                  {"step (updates)", "smoothed 0.60"}},  // the slider's amount, in the key
                 {{"Norm site:", "Sample:", "fit to output", "Untick"},
                  {"batch mean  \xC2\xB7  step 40"}},  // the picture-only caption
                 {{"Parameters", "Log scale", "Across layers, at one step", "At initialisation"},
                  {"in each layer at step 40"}},
                 {{"Run:", "same colours for every run", "log colour scale", "RMS of dLoss/dh"},
                  {"residual stream RMS"}}};
    for (int tab = 0; tab < 4; ++tab) {
        window_->tabs()->setCurrentIndex(tab);
        QWidget* page = window_->tabs()->widget(tab);
        for (int i = 0; i < 3; ++i) {  // the layouts settled, as the export leaves them
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QCoreApplication::processEvents();
        }
        QList<QPair<QWidget*, QRect>> before;  // every visible widget and where it is
        for (QWidget* c : page->findChildren<QWidget*>())
            if (c->isVisible()) before.append({c, c->geometry()});
        const QString path = dir.filePath(MainWindow::chartName(tab) + ".svg");
        QVERIFY(window_->exportChart(tab, path));
        const QByteArray svg = read_all(path);
        for (const char* absent : text[tab].absent) QVERIFY2(!svg.contains(absent), absent);
        for (const char* present : text[tab].present) QVERIFY2(svg.contains(present), present);
        for (QWidget* c : page->findChildren<QWidget*>()) {
            const auto it = std::find_if(before.begin(), before.end(), [c](const auto& b) { return b.first == c; });
            QVERIFY2(c->isVisible() == (it != before.end()), qPrintable(c->objectName()));
            if (it != before.end()) QCOMPARE(c->geometry(), it->second);
        }
    }
    QVERIFY(!window_->findChild<QWidget*>("normCaption")->isVisible());
    QVERIFY(window_->findChild<QWidget*>("normFitOutput")->isVisibleTo(window_->tabs()->widget(1)));

    // "Export all" draws every tab as Export chart does with the tab on screen, pixel for pixel
    // (a tab drawn while hidden could not lay its charts out without its controls).
    QTemporaryDir bundle;
    window_->tabs()->setCurrentIndex(3);
    QVERIFY(window_->exportAll(bundle.path()));
    QCOMPARE(window_->tabs()->currentIndex(), 3);
    for (int tab = 0; tab < 4; ++tab) {
        window_->tabs()->setCurrentIndex(tab);
        QCoreApplication::processEvents();
        const QString alone = dir.filePath(MainWindow::chartName(tab) + ".png");
        QVERIFY(window_->exportChart(tab, alone, 2.0));
        const QImage a(alone), b(bundle.filePath("charts/" + MainWindow::chartName(tab) + ".png"));
        QVERIFY2(!a.isNull() && a == b, qPrintable(MainWindow::chartName(tab)));
    }
}

QTEST_MAIN(ExportTest)
#include "tst_ui_export.moc"
