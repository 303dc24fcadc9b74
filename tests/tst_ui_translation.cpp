// The interface in Simplified Chinese, offscreen: after setLanguage("zh_CN") no text the window
// shows (labels, buttons, group boxes, tabs, docks, menus, toolbars, tooltips, chart titles and
// axis titles, legends, notes on the charts, the status bar) still holds an English word: as the
// window opens, after training, with refused input and after a diverged training.
// setLanguage("en") brings the English back.
//
// An "English word" is a run of 3 or more ASCII letters that is not an identifier (a token with a
// digit or an underscore, such as d_model, norm1_out, L2), not a name on the allow-list
// below, not an option value that the experiment file uses (shown as is in the combo boxes, e.g.
// "layernorm", "post") and not a run name of the experiment. A JSON example in braces is skipped.
//
// With NS_TR_SCREENSHOT_DIR set, the Chinese window is saved there as zh.png (and each chart tab
// as zh_tab<N>.png, each dock in front as zh_dock_<name>.png, the whole experiment form as
// zh_form.png) to look at by eye.
#include <QtTest>

#include <QAbstractButton>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QGroupBox>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextDocumentFragment>
#include <QToolBar>
#include <QValueAxis>

#include <functional>

#include "engine/config.h"
#include "ui_test_helpers.h"
#include "ui/chartstyle.h"
#include "ui/curveschart.h"
#include "ui/experimentpanel.h"
#include "ui/heatmap.h"
#include "ui/mainwindow.h"

using namespace nsui;

namespace {

// Identifiers and proper names that stay in Latin letters in the Chinese interface.
const QStringList kAllowed = {
    // identifiers in the files and formulas
    "d_model", "d_ff", "eps", "JSON", "CSV", "PNG", "SVG", "PDF", "UTF-8", "tanh", "sqrt",
    // products, methods and people
    "NormScope", "LayerNorm", "RMSNorm", "BatchNorm", "DyT", "DeepNorm", "Adam", "AdamW", "SGD", "GELU", "ReLU",
    "Xavier", "Glorot", "Noam", "PyTorch", "Transformer", "Post-LN", "Pre-LN", "Qt", "Eigen", "oneTBB",
    // abbreviations and units
    "RMS", "EMA", "ETA", "CPU", "nat", "ms",
    // key names in shortcuts
    "Ctrl", "Esc",
    // the language menu names each language in that language
    "English",
};

// English that the interface shows but no tr() can reach: removed from a text before it is
// checked. Each is a TODO in the source named beside it.
const QStringList kHardCoded = {
    // TODO source not translatable: engine/config.cpp:572 (and the other ConfigError reasons in
    // engine/config.cpp), shown under a refused field by ui/experimentpanel.cpp revalidate()
    QStringLiteral("must be between \\d+ and \\d+, got -?\\d+"),
    // TODO source not translatable: engine/trainer.cpp:90-91 not_finite() with :116, :127, :144
    // (and engine/results.cpp:167), the divergence cause shown by ui/mainwindow.cpp updateStatus()
    // and ui/curveschart.cpp updateDiverged()
    QStringLiteral("the (training loss|gradient norm|validation loss) is (NaN|[+-]inf)"),
    // TODO source not translatable: ui/experimentpanel.cpp:439 and :442 (std::runtime_error texts
    // shown after tr("the overrides are not valid JSON: %1"))
    QStringLiteral("the overrides must be a JSON object"),
    QStringLiteral("only \"model\" and \"train\" can be overridden, not \"[^\"]*\""),
};

QString plain(const QString& text) {
    QString t = text;
    // "Add & Norm", the sublayer's name in the course notes, stays as it is (and has no accelerator).
    t.remove(QRegularExpression(QStringLiteral("\\bAdd &(amp;)? Norm\\b")));
    if (Qt::mightBeRichText(t) || t.contains(QLatin1Char('<'))) t = QTextDocumentFragment::fromHtml(t).toPlainText();
    t.remove(QRegularExpression(QStringLiteral("&(?=[^&])")));  // accelerators
    return t;
}

struct Collector {
    QSet<QString> allowed;  // lower case
    QMap<QString, QString> found;  // text -> where it was seen

    void allow(const QString& word) { allowed.insert(word.toLower()); }
    void allowWordsOf(const QString& text) {
        static const QRegularExpression word(QStringLiteral("[A-Za-z][A-Za-z0-9_-]*"));
        for (auto it = word.globalMatch(text); it.hasNext();) allow(it.next().captured());
    }

    // The English words in `text`, or an empty list.
    QStringList englishWords(const QString& raw) const {
        QString text = plain(raw);
        const int open = text.indexOf(QLatin1Char('{')), close = text.lastIndexOf(QLatin1Char('}'));
        if (open >= 0 && close > open) text.remove(open, close - open + 1);  // a JSON example
        text.remove(QRegularExpression(QStringLiteral("\\bmean\\(x")));  // the formula mean(x²)
        for (const QString& hardCoded : kHardCoded) text.remove(QRegularExpression(hardCoded));
        // A path into the file such as runs[0] or runs[1].model.norm names a place, like d_model.
        text.remove(QRegularExpression(QStringLiteral("\\b[A-Za-z_]+\\[\\d+\\](\\.[A-Za-z_]+)*")));
        static const QRegularExpression token(QStringLiteral("[A-Za-z0-9_]+(?:[-.+][A-Za-z0-9_]+)*"));
        static const QRegularExpression letters(QStringLiteral("[A-Za-z]{3,}"));
        static const QRegularExpression identifier(QStringLiteral("[0-9_]"));
        QStringList out;
        for (auto it = token.globalMatch(text); it.hasNext();) {
            const QString tok = it.next().captured();
            if (allowed.contains(tok.toLower())) continue;
            for (const QString& part : tok.split(QRegularExpression(QStringLiteral("[-.+]")))) {
                if (!letters.match(part).hasMatch()) continue;
                if (allowed.contains(part.toLower()) || identifier.match(part).hasMatch()) continue;
                out << part;
            }
        }
        return out;
    }

    void add(const QString& text, const QString& where) {
        if (text.trimmed().isEmpty()) return;
        if (!englishWords(text).isEmpty() && !found.contains(text)) found.insert(text, where);
    }
};

QString describe(const QObject* o) {
    QString name = QString::fromLatin1(o->metaObject()->className());
    if (!o->objectName().isEmpty()) name += QLatin1Char('#') + o->objectName();
    return name;
}

void collectMenu(QMenu* menu, Collector& c, const QString& path) {
    c.add(menu->title(), path + " menu title");
    for (QAction* a : menu->actions()) {
        if (a->isSeparator()) continue;
        if (a->menu()) {
            collectMenu(a->menu(), c, path + " > " + plain(a->menu()->title()));
            continue;
        }
        const QFileInfo file(a->toolTip());
        if (file.isAbsolute() && a->text() == file.fileName()) continue;  // a recent file: data, not text
        c.add(a->text(), path + " action");
        c.add(a->toolTip(), path + " action tooltip");
    }
}

void collectChart(QChart* chart, Collector& c, const QString& where) {
    c.add(chart->title(), where + " chart title");
    for (QAbstractAxis* axis : chart->axes()) c.add(axis->titleText(), where + " axis title");
    for (QLegendMarker* m : chart->legend()->markers())
        if (m->isVisible() && chart->legend()->isVisible()) c.add(m->label(), where + " legend");
}

// Everything the window shows as it stands now (only widgets that are visible).
void collectVisible(MainWindow& w, Collector& c) {
    c.add(w.windowTitle(), "window title");
    for (QWidget* x : w.findChildren<QWidget*>()) {
        if (!x->isVisible()) continue;
        const QString where = describe(x);
        c.add(x->toolTip(), where + " tooltip");
        if (auto* l = qobject_cast<QLabel*>(x)) c.add(l->text(), where + " text");
        if (auto* b = qobject_cast<QAbstractButton*>(x)) c.add(b->text(), where + " text");
        if (auto* g = qobject_cast<QGroupBox*>(x)) c.add(g->title(), where + " title");
        if (auto* d = qobject_cast<QDockWidget*>(x)) c.add(d->windowTitle(), where + " title");
        if (auto* t = qobject_cast<QToolBar*>(x)) {
            c.add(t->windowTitle(), where + " title");
            for (QAction* a : t->actions()) {
                c.add(a->text(), where + " action");
                c.add(a->toolTip(), where + " action tooltip");
            }
        }
        if (auto* t = qobject_cast<QTabWidget*>(x))
            for (int i = 0; i < t->count(); ++i) {
                c.add(t->tabText(i), where + " tab");
                c.add(t->tabToolTip(i), where + " tab tooltip");
            }
        if (auto* p = qobject_cast<QProgressBar*>(x)) c.add(p->text(), where + " text");
        if (auto* s = qobject_cast<QAbstractSpinBox*>(x)) c.add(s->specialValueText(), where + " special value");
        if (auto* cb = qobject_cast<QComboBox*>(x))
            for (int i = 0; i < cb->count(); ++i)
                if (cb->itemText(i) != cb->itemData(i).toString())  // a file value is shown as is
                    c.add(cb->itemText(i), where + " item");
        if (auto* v = qobject_cast<QChartView*>(x)) {
            collectChart(v->chart(), c, where);
            for (QGraphicsItem* item : v->scene()->items()) {  // notes drawn on the chart
                if (!item->isVisible()) continue;
                if (auto* t = qgraphicsitem_cast<QGraphicsSimpleTextItem*>(item)) c.add(t->text(), where + " chart text");
                if (auto* t = qgraphicsitem_cast<QGraphicsTextItem*>(item)) c.add(t->toPlainText(), where + " chart text");
            }
        }
        if (auto* h = qobject_cast<HeatmapWidget*>(x)) c.add(h->title(), where + " title");
    }
    c.add(w.statusBar()->currentMessage(), "status bar message");
}

// Every tab of the chart area and of the tab widgets inside it, and every dock, in turn.
void collectAllTabs(MainWindow& w, Collector& c) {
    QTabWidget* tabs = w.tabs();
    const int current = tabs->currentIndex();
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QCoreApplication::processEvents();
        collectVisible(w, c);
        for (QTabWidget* inner : tabs->widget(i)->findChildren<QTabWidget*>()) {
            const int was = inner->currentIndex();
            for (int j = 0; j < inner->count(); ++j) {
                inner->setCurrentIndex(j);
                QCoreApplication::processEvents();
                collectVisible(w, c);
            }
            inner->setCurrentIndex(was);
        }
    }
    tabs->setCurrentIndex(current);
    QCoreApplication::processEvents();
    // Docks stacked as tabs (the experiment and the lessons): each in front in turn.
    const QList<QDockWidget*> docks = w.findChildren<QDockWidget*>();
    for (QDockWidget* d : docks) {
        d->raise();
        QCoreApplication::processEvents();
        collectVisible(w, c);
    }
    if (!docks.isEmpty()) {
        docks.first()->raise();
        QCoreApplication::processEvents();
    }
    for (QAction* a : w.menuBar()->actions())
        if (a->menu()) collectMenu(a->menu(), c, plain(a->menu()->title()));
}

// The option values of the experiment file (the panel's combo boxes show them as they are) and
// the names of the experiment and its runs.
void allowFileValues(MainWindow& w, Collector& c, const ns::Experiment& e) {
    for (QComboBox* cb : w.findChildren<QComboBox*>())
        for (int i = 0; i < cb->count(); ++i)
            if (cb->itemText(i) == cb->itemData(i).toString()) c.allowWordsOf(cb->itemText(i));
    c.allowWordsOf(QString::fromStdString(e.name));
    for (const ns::RunSpec& r : e.runs) c.allowWordsOf(QString::fromStdString(r.name));
}

QString report(const Collector& c) {
    QStringList lines;
    for (auto it = c.found.begin(); it != c.found.end(); ++it)
        lines << QStringLiteral("  [%1] %2   (English: %3)")
                     .arg(it.value(), it.key().simplified(), c.englishWords(it.key()).join(QStringLiteral(", ")));
    return lines.join(QLatin1Char('\n'));
}

// The default experiment, shorter; `diverging` makes both runs blow up within a few steps.
ns::Experiment shortDefault(int steps, bool diverging = false) {
    ns::Experiment e = ns::default_experiment();
    nlohmann::json j = ns::to_json(e);
    j["train"]["steps"] = steps;
    j["train"]["probe_every"] = 5;
    j["train"]["eval_every"] = 5;
    if (diverging) {
        j["train"]["optimizer"] = "sgd";
        j["train"]["lr"] = 1e6;
    }
    return ns::parse_experiment(j);
}

bool writeExperiment(const QString& path, const ns::Experiment& e) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(QByteArray::fromStdString(ns::to_json(e).dump(2))) > 0;
}

bool waitFor(const std::function<bool()>& done) { return nstest::wait_for(done, 120000); }

void screenshot(MainWindow& w, const QString& name) {
    const QString dir = qEnvironmentVariable("NS_TR_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(dir + "/" + name));
    if (name == QLatin1String("zh.png"))  // the whole experiment form, scrolled or not
        if (auto* scroll = w.experimentPanel()->findChild<QScrollArea*>())
            QVERIFY(scroll->widget()->grab().save(dir + "/zh_form.png"));
}

}  // namespace

class TranslationTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void chineseShowsNoEnglish();
    void englishComesBack();
    void axisTitlesWhole();
};

void TranslationTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // settings go to a test location
    QCoreApplication::setOrganizationName("NormScopeTests");
    QCoreApplication::setApplicationName("tst_ui_translation");
    QSettings().clear();
}

void TranslationTest::chineseShowsNoEnglish() {
    const ns::Experiment experiment = ns::default_experiment();
    MainWindow w(experiment);
    w.setLanguage("zh_CN");
    QCOMPARE(w.language(), QString("zh_CN"));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.redrawNow();
    QCOMPARE(w.tabs()->tabText(0), QString::fromUtf8("训练曲线"));

    Collector c;
    for (const QString& a : kAllowed) c.allow(a);
    allowFileValues(w, c, experiment);

    // As it opens: nothing trained yet.
    collectAllTabs(w, c);
    screenshot(w, "zh.png");
    for (QDockWidget* d : w.findChildren<QDockWidget*>()) {  // each dock in front
        d->raise();
        screenshot(w, QStringLiteral("zh_dock_%1.png").arg(d->objectName()));
    }
    if (auto* first = w.findChild<QDockWidget*>()) first->raise();

    // After a short training: probes, legends, steps and the status bar's numbers.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("short.json");
    QVERIFY(writeExperiment(path, shortDefault(20)));
    QVERIFY(w.openFile(path));
    w.controller().run();
    QVERIFY(waitFor([&] { return w.controller().state() == TrainingController::State::Finished; }));
    w.redrawNow();
    collectAllTabs(w, c);
    for (int i = 0; i < w.tabs()->count(); ++i) {
        w.tabs()->setCurrentIndex(i);
        w.redrawNow();
        screenshot(w, QStringLiteral("zh_tab%1.png").arg(i));
    }

    // Refused input: the messages under a field, above the form and under the runs.
    auto* layers = w.experimentPanel()->findChild<QLineEdit*>("model.layers");
    auto* overrides = w.experimentPanel()->findChild<QPlainTextEdit*>("overrides");
    QVERIFY(layers && overrides);
    for (const char* bad : {"4.5", "", "0"}) {
        layers->setText(QString::fromLatin1(bad));
        QCoreApplication::processEvents();
        QVERIFY(!w.experimentPanel()->errors().isEmpty());
        collectVisible(w, c);
    }
    layers->setText("6");
    const QString kept = overrides->toPlainText();
    for (const char* bad : {"[]", "{\"optimizer\": {}}"}) {
        overrides->setPlainText(QString::fromLatin1(bad));
        QCoreApplication::processEvents();
        QVERIFY(!w.experimentPanel()->errors().isEmpty());
        collectVisible(w, c);
    }
    overrides->setPlainText(kept);
    QCoreApplication::processEvents();
    QVERIFY(w.experimentPanel()->errors().isEmpty());

    // Training that diverges: the causes in the status bar, on the charts and in their notes.
    const QString diverging = dir.filePath("diverging.json");
    QVERIFY(writeExperiment(diverging, shortDefault(20, true)));
    QVERIFY(w.openFile(diverging));
    w.controller().run();
    QVERIFY(waitFor([&] {
        return w.controller().state() == TrainingController::State::Finished ||
               w.controller().state() == TrainingController::State::Failed;
    }));
    w.redrawNow();
    collectAllTabs(w, c);
    screenshot(w, "zh_diverged.png");

    if (!c.found.isEmpty()) qWarning().noquote() << "Untranslated text in the Chinese interface:\n" + report(c);
    QVERIFY2(c.found.isEmpty(), qPrintable(QStringLiteral("%1 untranslated string(s), listed above").arg(c.found.size())));
}

void TranslationTest::englishComesBack() {
    MainWindow w(ns::default_experiment());
    w.setLanguage("zh_CN");
    QCOMPARE(w.tabs()->tabText(0), QString::fromUtf8("训练曲线"));
    w.setLanguage("en");
    QCOMPARE(w.language(), QString("en"));
    QCOMPARE(w.tabs()->tabText(0), QString("Training curves"));
    QCOMPARE(w.menuBar()->actions().first()->text(), QString("&File"));
    bool found = false;
    for (QChartView* v : w.curvesChart()->findChildren<QChartView*>())
        for (QAbstractAxis* a : v->chart()->axes()) found = found || a->titleText() == QLatin1String("step (updates)");
    QVERIFY2(found, "the training curves' axis title is English again");
}

// A vertical axis whose labels are one character wide ("0" to "4": the loss once a run has
// learnt) kept the Chinese loss title elided to "..." (Qt Charts keeps the width of "..." for
// the labels out of the title's room); its ranges now get one decimal. Each title below must be
// drawn whole, on the ranges the charts give them.
void TranslationTest::axisTitlesWhole() {
    const QString titles[] = {QString::fromUtf8("交叉熵损失（nat）"), QStringLiteral("cross-entropy loss (nats)")};
    const double ranges[][2] = {{0.0, 4.3}, {0.0, 1.0}, {3.4, 4.3}};
    for (const QString& title : titles)
        for (const auto& range : ranges) {
            QChartView view(chartstyle::makeChart());
            QChart* chart = view.chart();
            chartstyle::styleChart(chart, view.palette(), view.font());
            auto* x = new QValueAxis;
            auto* y = new QValueAxis;
            chart->addAxis(x, Qt::AlignBottom);
            chart->addAxis(y, Qt::AlignLeft);
            chartstyle::styleAxis(y, view.palette(), view.font());
            y->setTitleText(title);
            chartstyle::setLinearRange(y, range[0], range[1], 6, false);
            view.resize(700, 420);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            for (int i = 0; i < 3; ++i) QCoreApplication::processEvents();
            bool whole = false;
            for (QGraphicsItem* item : view.scene()->items())
                if (auto* t = dynamic_cast<QGraphicsTextItem*>(item); t && t->isVisible())
                    whole = whole || t->toPlainText() == title;
            QVERIFY2(whole, qPrintable(QStringLiteral("%1 on %2..%3").arg(title).arg(range[0]).arg(range[1])));
        }
}

QTEST_MAIN(TranslationTest)
#include "tst_ui_translation.moc"
