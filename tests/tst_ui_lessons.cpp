// The lessons: the book parses and is complete in both languages, every lesson's experiment
// loads, the panel walks through every step emitting the right signals, and the LayerNorm
// formula view shows the engine's own numbers (its recomputed y matches sample_out).
#include <QButtonGroup>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTextBrowser>
#include <QtTest>

#include <cmath>
#include <set>

#include "engine/config.h"
#include "engine/trainer.h"
#include "ui/layernormformulaview.h"
#include "ui/lessonpanel.h"
#include "ui/lessons.h"
#include "ui/normaxesdiagram.h"
#include "ui/rundata.h"

using namespace nsui;

namespace {

QString lessonsPath() { return QStringLiteral(NS_SOURCE_DIR "/resources/lessons/lessons.json"); }
QString experimentPath(const char* name) { return QStringLiteral(NS_SOURCE_DIR "/resources/experiments/") + QLatin1String(name); }

LessonBook loadBook() {
    QString error;
    auto book = loadLessonBook(lessonsPath(), &error);
    if (!book) qFatal("lessons.json refused: %s", qPrintable(error));
    return *book;
}

// Trains `e` for `steps` steps with a RunStore as the sink; returns the snapshot.
SnapshotPtr train(ns::Experiment e, long steps) {
    ns::Trainer trainer(e, 2);
    trainer.set_total_steps(steps);
    RunStore store;
    store.reset(trainer.experiment(), trainer.total_steps());
    trainer.set_sink(&store);
    while (trainer.step()) {
    }
    return store.snapshot();
}

void checkText(const LessonText& t, const QString& where) {
    QVERIFY2(!t.en.trimmed().isEmpty(), qPrintable(where + QStringLiteral(": English missing")));
    QVERIFY2(!t.zh.trimmed().isEmpty(), qPrintable(where + QStringLiteral(": Chinese missing")));
}

// Whether a visible label, or a visible text browser, of `w` shows `s`.
bool anyLabelContains(const QWidget* w, const QString& s) {
    for (const QLabel* l : w->findChildren<QLabel*>())
        if (l->isVisibleTo(w) && l->text().contains(s)) return true;
    for (const QTextBrowser* b : w->findChildren<QTextBrowser*>())
        if (b->isVisibleTo(w) && b->toPlainText().contains(s)) return true;
    return false;
}

}  // namespace

class TestLessons : public QObject {
    Q_OBJECT
private slots:
    void bookParses();
    void experimentsLoad_data();
    void experimentsLoad();
    void everyTextBilingual();
    void predictionsInRange();
    void viewsAndShowsPointAtRealThings();
    void parserRefuses_data();
    void parserRefuses();
    void panelWalksEveryStep();
    void runWaitsForPrediction();
    void languageSwitchesAtOnce();
    void formulaViewShowsEngineNumbers_data();
    void formulaViewShowsEngineNumbers();
    void formulaViewEveryNormKind_data();
    void formulaViewEveryNormKind();
    void axesDiagramGroups();
    void panelFeedsFormulaView();
};

void TestLessons::bookParses() {
    QString error;
    auto book = loadLessonBook(lessonsPath(), &error);
    QVERIFY2(book.has_value(), qPrintable(error));
    QCOMPARE(static_cast<int>(book->lessons.size()), 6);
    for (const Lesson& l : book->lessons) QVERIFY2(!l.steps.empty(), qPrintable(l.id));
}

void TestLessons::experimentsLoad_data() {
    QTest::addColumn<QString>("path");
    for (const Lesson& l : loadBook().lessons) QTest::newRow(qPrintable(l.id)) << l.experimentPath;
}

void TestLessons::experimentsLoad() {
    QFETCH(QString, path);
    QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    try {
        const ns::Experiment e = ns::load_experiment_file(path.toStdString());
        QVERIFY(!e.runs.empty());
    } catch (const std::exception& ex) {
        QFAIL(ex.what());
    }
}

void TestLessons::everyTextBilingual() {
    const LessonBook book = loadBook();
    for (const Lesson& l : book.lessons) {
        checkText(l.title, l.id + QStringLiteral(".title"));
        for (std::size_t k = 0; k < l.steps.size(); ++k) {
            const LessonStep& s = l.steps[k];
            const QString where = QStringLiteral("%1.steps[%2]").arg(l.id).arg(k);
            checkText(s.text, where + QStringLiteral(".text"));
            if (s.show) checkText(s.look, where + QStringLiteral(".look"));
            if (s.prediction) {
                checkText(s.prediction->question, where + QStringLiteral(".question"));
                checkText(s.prediction->explanation, where + QStringLiteral(".explanation"));
                for (const LessonText& c : s.prediction->choices) checkText(c, where + QStringLiteral(".choice"));
            }
        }
    }
}

void TestLessons::predictionsInRange() {
    int predictions = 0;
    for (const Lesson& l : loadBook().lessons)
        for (const LessonStep& s : l.steps)
            if (s.prediction) {
                ++predictions;
                QVERIFY(s.prediction->choices.size() >= 2);
                QVERIFY(s.prediction->answer >= 0);
                QVERIFY(s.prediction->answer < static_cast<int>(s.prediction->choices.size()));
            }
    QVERIFY(predictions >= 6);
}

// A formula view or a show names a run, site and layer the lesson's experiment really has.
void TestLessons::viewsAndShowsPointAtRealThings() {
    for (const Lesson& l : loadBook().lessons) {
        const ns::Experiment e = ns::load_experiment_file(l.experimentPath.toStdString());
        bool runs = false;
        for (std::size_t k = 0; k < l.steps.size(); ++k) {
            const LessonStep& s = l.steps[k];
            const QString where = QStringLiteral("%1.steps[%2]").arg(l.id).arg(k);
            runs = runs || s.run;
            if (s.show) QVERIFY2(runs, qPrintable(where + QStringLiteral(": a chart is shown before anything was run")));
            if (s.view && s.view->kind == QLatin1String("formula")) {
                QVERIFY2(runs, qPrintable(where + QStringLiteral(": the formula view needs a run before it")));
                QVERIFY2(s.view->run < static_cast<int>(e.runs.size()), qPrintable(where));
                const ns::ModelConfig& m = e.runs[static_cast<std::size_t>(s.view->run)].model;
                QVERIFY2(s.view->layer < m.layers, qPrintable(where));
                QVERIFY2(s.view->position < e.runs[static_cast<std::size_t>(s.view->run)].train.seq_len, qPrintable(where));
                const bool sandwich = m.placement == ns::NormPlacement::Sandwich;
                if (s.view->site.endsWith(QLatin1String("_out"))) QVERIFY2(sandwich, qPrintable(where));
                if (s.view->site == QLatin1String("embedding")) QVERIFY2(m.embedding_norm, qPrintable(where));
            }
            if (s.show && !s.show->site.isEmpty()) {
                bool someRunHasIt = false;
                for (const ns::RunSpec& r : e.runs) {
                    const bool layered = s.show->site.startsWith(QLatin1String("norm"));
                    if (layered && s.show->layer >= r.model.layers) continue;
                    if (s.show->site == QLatin1String("embedding") && !r.model.embedding_norm) continue;
                    if (s.show->site == QLatin1String("final") && !r.model.final_norm_on()) continue;
                    someRunHasIt = true;
                }
                QVERIFY2(someRunHasIt, qPrintable(where + QStringLiteral(": no run has site ") + s.show->site));
            }
        }
    }
}

void TestLessons::parserRefuses_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    const QByteArray head = R"({"format":"normscope-lessons","version":1,"lessons":[{"id":"a","title":{"en":"A","zh":"甲"},"experiment":"x.json","steps":[)";
    const QByteArray tail = "]}]}";
    QTest::newRow("missing zh") << head + R"({"text":{"en":"hi"}})" + tail << "lessons[0].steps[0].text.zh";
    QTest::newRow("unknown key") << head + R"({"text":{"en":"hi","zh":"你好"},"runn":true})" + tail << "lessons[0].steps[0].runn";
    QTest::newRow("answer out of range")
        << head + R"({"text":{"en":"a","zh":"甲"},"prediction":{"question":{"en":"q","zh":"问"},"choices":[{"en":"a","zh":"甲"},{"en":"b","zh":"乙"}],"answer":2,"explanation":{"en":"e","zh":"解"}}})" + tail
        << "lessons[0].steps[0].prediction.answer";
    QTest::newRow("bad tab") << head + R"({"text":{"en":"a","zh":"甲"},"show":{"tab":"charts"}})" + tail << "lessons[0].steps[0].show.tab";
    QTest::newRow("bad site") << head + R"({"text":{"en":"a","zh":"甲"},"show":{"tab":"normstats","site":"norm3"}})" + tail
                              << "lessons[0].steps[0].show.site";
    QTest::newRow("bad view") << head + R"({"text":{"en":"a","zh":"甲"},"view":{"kind":"axes","norm":"groupnorm"}})" + tail
                              << "lessons[0].steps[0].view.norm";
}

void TestLessons::parserRefuses() {
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QString error;
    QVERIFY(!parseLessonBook(json, QStringLiteral("/tmp"), &error).has_value());
    QVERIFY2(error.startsWith(field + QStringLiteral(": ")), qPrintable(error));
}

void TestLessons::panelWalksEveryStep() {
    LessonPanel panel(lessonsPath());
    panel.resize(520, 900);
    panel.show();
    QVERIFY2(panel.isLoaded(), qPrintable(panel.loadError()));
    QSignalSpy experiment(&panel, &LessonPanel::experimentRequested);
    QSignalSpy run(&panel, &LessonPanel::runRequested);
    QSignalSpy show(&panel, &LessonPanel::showRequested);
    auto* next = panel.findChild<QPushButton*>(QStringLiteral("nextStep"));
    auto* back = panel.findChild<QPushButton*>(QStringLiteral("previousStep"));
    auto* runButton = panel.findChild<QPushButton*>(QStringLiteral("lessonRun"));
    auto* check = panel.findChild<QPushButton*>(QStringLiteral("checkPrediction"));
    auto* text = panel.findChild<QTextBrowser*>(QStringLiteral("lessonText"));
    auto* list = panel.findChild<QComboBox*>(QStringLiteral("lessonList"));
    auto* progress = panel.findChild<QLabel*>(QStringLiteral("lessonProgress"));
    QVERIFY(next && back && runButton && check && text && list && progress);
    QCOMPARE(list->count(), 6);
    QCOMPARE(experiment.count(), 0);  // nothing from the constructor

    const LessonBook& book = panel.book();
    int shownBefore = show.count();  // before entering each step
    panel.startLesson(0);
    for (int li = 0; li < panel.lessonCount(); ++li) {
        const Lesson& lesson = book.lessons[static_cast<std::size_t>(li)];
        QCOMPARE(experiment.count(), li + 1);
        QCOMPARE(experiment.last().at(0).toString(), lesson.experimentPath);
        QCOMPARE(panel.currentLesson(), li);
        QCOMPARE(list->currentIndex(), li);
        for (int si = 0; si < static_cast<int>(lesson.steps.size()); ++si) {
            const LessonStep& s = lesson.steps[static_cast<std::size_t>(si)];
            const QString where = QStringLiteral("%1 step %2").arg(lesson.id).arg(si);
            QCOMPARE(panel.currentStep(), si);
            QCOMPARE(progress->text(), QStringLiteral("Step %1 of %2").arg(si + 1).arg(lesson.steps.size()));
            QVERIFY2(text->toPlainText().contains(s.text.en.left(30)), qPrintable(where));
            QCOMPARE(back->isEnabled(), si > 0);
            QCOMPARE(runButton->isVisible(), s.run);
            const int runsBefore = run.count();
            if (s.show && !s.prediction) QVERIFY2(show.count() == shownBefore + 1, qPrintable(where + QStringLiteral(": no show on entering")));
            if (s.prediction) {
                if (s.run) QVERIFY2(!runButton->isEnabled(), qPrintable(where + QStringLiteral(": Run enabled before a prediction")));
                QVERIFY(!check->isEnabled());
                QCOMPARE(show.count(), shownBefore);  // the chart waits for the prediction
                QVERIFY2(!panel.formulaView()->isVisible() && !panel.axesDiagram()->isVisible(),
                         qPrintable(where + QStringLiteral(": a view shows before the prediction")));
                if (!s.look.en.isEmpty()) QVERIFY(!text->toPlainText().contains(s.look.en.left(30)));
                const int n = static_cast<int>(s.prediction->choices.size());
                for (int c = 0; c < n; ++c)
                    QVERIFY(panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:%1").arg(c)));
                QVERIFY(!panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:%1").arg(n)));
                // pick a wrong answer first if there is one, then the right one
                auto* pick = panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:%1").arg((s.prediction->answer + 1) % n));
                pick->click();
                pick = panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:%1").arg(s.prediction->answer));
                pick->click();
                QVERIFY(check->isEnabled());
                if (s.run) QVERIFY(runButton->isEnabled());
                check->click();
                auto* verdict = panel.findChild<QLabel*>(QStringLiteral("predictionVerdict"));
                QVERIFY(verdict->isVisible());
                QVERIFY2(verdict->text().contains(QStringLiteral("Right.")), qPrintable(verdict->text()));
                QVERIFY(verdict->text().contains(s.prediction->explanation.en.left(20).toHtmlEscaped()));
                // the prediction is locked once checked
                QVERIFY(!panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:0"))->isEnabled());
            }
            if (s.show) {
                QVERIFY2(show.count() == shownBefore + 1, qPrintable(where + QStringLiteral(": show emitted %1 times").arg(show.count() - shownBefore)));
                const QList<QVariant> args = show.last();
                QCOMPARE(args.at(0).toString(), s.show->tab);
                QCOMPARE(args.at(1).toString(), s.show->site);
                QCOMPARE(args.at(2).toInt(), s.show->layer);
                QCOMPARE(args.at(3).toString(), s.show->step);
                QVERIFY2(text->toPlainText().contains(s.look.en.left(30)), qPrintable(where + QStringLiteral(": look text not shown")));
            } else {
                QCOMPARE(show.count(), shownBefore);
            }
            if (s.run) {
                QVERIFY(runButton->isEnabled());
                runButton->click();
                QCOMPARE(run.count(), runsBefore + 1);
                QCOMPARE(show.count(), shownBefore + (s.show ? 1 : 0));  // no second show
            }
            if (s.view) {
                QWidget* v = s.view->kind == QLatin1String("formula") ? static_cast<QWidget*>(panel.formulaView())
                                                                        : static_cast<QWidget*>(panel.axesDiagram());
                QVERIFY2(v->isVisible(), qPrintable(where));
                if (s.view->kind == QLatin1String("axes"))
                    QCOMPARE(panel.axesDiagram()->kind(), s.view->norm == QLatin1String("batchnorm") ? NormAxesDiagram::Kind::BatchNorm
                                                           : s.view->norm == QLatin1String("rmsnorm") ? NormAxesDiagram::Kind::RMSNorm
                                                                                                        : NormAxesDiagram::Kind::LayerNorm);
            } else {
                QVERIFY(!panel.formulaView()->isVisible() && !panel.axesDiagram()->isVisible());
            }
            const bool lastOfAll = li + 1 == panel.lessonCount() && si + 1 == static_cast<int>(lesson.steps.size());
            QCOMPARE(next->isEnabled(), !lastOfAll);
            shownBefore = show.count();
            if (!lastOfAll) next->click();
        }
    }
    QCOMPARE(experiment.count(), 6);
    // Back revisits a step: the prediction is remembered, the chart is shown again at once.
    const int before = show.count();
    const int lastLesson = panel.lessonCount() - 1;
    int target = -1;
    const auto& steps = book.lessons[static_cast<std::size_t>(lastLesson)].steps;
    for (int k = panel.currentStep() - 1; k >= 0 && target < 0; --k)
        if (steps[static_cast<std::size_t>(k)].show) target = k;
    if (target >= 0) {
        while (panel.currentStep() > target) back->click();
        QCOMPARE(show.count(), before + 1);
    }
}

void TestLessons::runWaitsForPrediction() {
    LessonPanel panel(lessonsPath());
    panel.show();
    // the first step that runs and has a prediction
    for (int li = 0; li < panel.lessonCount(); ++li) {
        const auto& steps = panel.book().lessons[static_cast<std::size_t>(li)].steps;
        for (int si = 0; si < static_cast<int>(steps.size()); ++si) {
            if (!(steps[static_cast<std::size_t>(si)].run && steps[static_cast<std::size_t>(si)].prediction)) continue;
            panel.startLesson(li);
            while (panel.currentStep() < si) panel.nextStep();
            QSignalSpy run(&panel, &LessonPanel::runRequested);
            auto* runButton = panel.findChild<QPushButton*>(QStringLiteral("lessonRun"));
            QVERIFY(!runButton->isEnabled());
            QTest::mouseClick(runButton, Qt::LeftButton);
            QCOMPARE(run.count(), 0);
            // clicking the choice's text picks it, as the radio button would
            auto* label = panel.findChild<QLabel*>(QStringLiteral("predictionChoiceText:0"));
            QTest::mouseClick(label, Qt::LeftButton);
            QVERIFY(panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:0"))->isChecked());
            QVERIFY(runButton->isEnabled());
            runButton->click();
            QCOMPARE(run.count(), 1);
            return;
        }
    }
    QFAIL("no step both predicts and runs");
}

void TestLessons::languageSwitchesAtOnce() {
    LessonPanel panel(lessonsPath());
    panel.show();
    const Lesson& l = panel.book().lessons[0];
    auto* text = panel.findChild<QTextBrowser*>(QStringLiteral("lessonText"));
    auto* list = panel.findChild<QComboBox*>(QStringLiteral("lessonList"));
    QVERIFY(text->toPlainText().contains(l.steps[0].text.en.left(30)));
    panel.setLanguage(QStringLiteral("zh"));
    QCOMPARE(panel.language(), QStringLiteral("zh"));
    QVERIFY(text->toPlainText().contains(l.steps[0].text.zh.left(20)));
    QVERIFY(list->currentText().contains(l.title.zh));
    // a prediction step in Chinese: question and choices switch too
    for (int si = 0; si < static_cast<int>(l.steps.size()); ++si) {
        if (!l.steps[static_cast<std::size_t>(si)].prediction) continue;
        while (panel.currentStep() < si) panel.nextStep();
        const LessonPrediction& p = *l.steps[static_cast<std::size_t>(si)].prediction;
        QVERIFY(anyLabelContains(&panel, p.question.zh));
        QVERIFY(anyLabelContains(&panel, p.choices[0].zh));
        panel.setLanguage(QStringLiteral("en"));
        QVERIFY(anyLabelContains(&panel, p.question.en));
        QVERIFY(anyLabelContains(&panel, p.choices[0].en));
        break;
    }
    panel.setLanguage(QStringLiteral("en"));
    QVERIFY(list->currentText().contains(l.title.en));
}

void TestLessons::formulaViewShowsEngineNumbers_data() {
    QTest::addColumn<int>("run");
    QTest::addColumn<QString>("site");
    QTest::addColumn<int>("layer");
    QTest::addColumn<QString>("step");
    QTest::newRow("Post-LN norm1 layer 0 init") << 0 << "norm1" << 0 << "init";
    QTest::newRow("Post-LN norm2 layer 5 latest") << 0 << "norm2" << 5 << "latest";
    QTest::newRow("Pre-LN norm1 layer 3 latest") << 1 << "norm1" << 3 << "latest";
    QTest::newRow("Pre-LN final init") << 1 << "final" << -1 << "init";
}

void TestLessons::formulaViewShowsEngineNumbers() {
    QFETCH(int, run);
    QFETCH(QString, site);
    QFETCH(int, layer);
    QFETCH(QString, step);
    static const SnapshotPtr snap = train(ns::load_experiment_file(experimentPath("postln_vs_preln.json").toStdString()), 5);
    const RunSeries& r = snap->runs[static_cast<std::size_t>(run)];
    QVERIFY(r.probes.size() >= 2);
    const ns::ProbeSnapshot& probe = step == QLatin1String("init") ? *r.probes.front() : *r.probes.back();
    QCOMPARE(probe.step, step == QLatin1String("init") ? 0L : 5L);
    const ns::NormSiteProbe* n = nullptr;
    for (const auto& p : probe.probes.norms)
        if (QString::fromStdString(p.site) == site && p.layer == layer) n = &p;
    QVERIFY(n);
    const int T = probe.probes.seq_len, D = r.model.d_model;

    LayerNormFormulaView view;
    view.resize(520, 900);
    view.show();
    view.setSnapshot(snap);
    view.setSelection(run, site, layer, step);
    double worst = 0;
    for (int t = 0; t < T; ++t) {
        view.setPosition(t);
        QVERIFY(view.hasNumbers());
        QCOMPARE(view.shownStep(), probe.step);
        const FormulaNumbers& f = view.numbers();
        QCOMPARE(f.position, t);
        QCOMPARE(f.d_model, D);
        QCOMPARE(f.kind, ns::NormKind::LayerNorm);
        // x and y are the engine's own vectors for this position
        for (int d = 0; d < D; ++d) {
            QCOMPARE(f.x[d], n->sample_in[static_cast<std::size_t>(t) * D + d]);
            QCOMPARE(f.y[d], n->sample_out[static_cast<std::size_t>(t) * D + d]);
            QCOMPARE(f.gamma[d], n->gamma[d]);
            QCOMPARE(f.beta[d], n->beta[d]);
        }
        // the mean and variance agree with the engine's per-row probe (sample 0, row t)
        QVERIFY2(std::abs(f.mean - n->mean_in[t]) <= 1e-6 * (1 + std::abs(f.mean)), qPrintable(QString::number(f.mean - n->mean_in[t])));
        QVERIFY2(std::abs(f.var - n->var_in[t]) <= 1e-6 * (1 + f.var), qPrintable(QString::number(f.var - n->var_in[t])));
        QCOMPARE(f.eps, 1e-5);
        // y recomputed from the printed formula matches the engine's y
        QVERIFY2(f.max_abs_error <= 1e-5, qPrintable(QStringLiteral("t=%1: worst |y - recomputed y| = %2").arg(t).arg(f.max_abs_error)));
        worst = std::max(worst, f.max_abs_error);
        QVERIFY(std::abs(f.xhat_mean) < 1e-9);
        QVERIFY(std::abs(f.xhat_var - f.var / (f.var + f.eps)) < 1e-9);
        // and the numbers are on screen
        QVERIFY2(anyLabelContains(&view, QString::number(f.mean, 'f', 4)), qPrintable(QString::number(f.mean, 'f', 4)));
        QVERIFY(anyLabelContains(&view, QString::number(f.var, 'f', 4)));
        QVERIFY(anyLabelContains(&view, QString::number(f.x[0], 'f', 3)));
        QVERIFY(anyLabelContains(&view, QString::number(f.y[0], 'f', 3)));
    }
    qInfo("largest |y - recomputed y| over all %d positions: %.3g", T, worst);
    // the position spin box is the view's "position"
    auto* spin = view.findChild<QSpinBox*>(QStringLiteral("formulaPosition"));
    QVERIFY(spin);
    QCOMPARE(spin->maximum(), T - 1);
    spin->setValue(2);
    QCOMPARE(view.numbers().position, 2);
}

void TestLessons::formulaViewEveryNormKind_data() {
    QTest::addColumn<QString>("norm");
    QTest::addColumn<QString>("placement");
    QTest::addColumn<QString>("site");
    QTest::addColumn<bool>("recomputable");
    QTest::newRow("layernorm_std") << "layernorm_std" << "pre" << "norm1" << true;
    QTest::newRow("rmsnorm") << "rmsnorm" << "pre" << "norm2" << true;
    QTest::newRow("dyt") << "dyt" << "pre" << "norm1" << true;
    QTest::newRow("none") << "none" << "pre" << "norm1" << true;
    QTest::newRow("batchnorm") << "batchnorm" << "pre" << "norm1" << false;
    QTest::newRow("layernorm sandwich out") << "layernorm" << "sandwich" << "norm1_out" << true;
}

void TestLessons::formulaViewEveryNormKind() {
    QFETCH(QString, norm);
    QFETCH(QString, placement);
    QFETCH(QString, site);
    QFETCH(bool, recomputable);
    const std::string text = QStringLiteral(
                                 R"({"format":"normscope-experiment","version":1,"name":"kinds",
        "model":{"layers":2,"d_model":32,"heads":4,"d_ff":64,"vocab":16,"max_len":8,"norm":"%1","placement":"%2"},
        "train":{"task":"reverse","seq_len":8,"batch":4,"steps":3,"seed":1,"probe_every":1,"eval_every":1}})")
                                 .arg(norm, placement)
                                 .toStdString();
    const SnapshotPtr snap = train(ns::parse_experiment_text(text), 3);
    LayerNormFormulaView view;
    view.setSnapshot(snap);
    view.setSelection(0, site, 1, QStringLiteral("latest"));
    for (int t = 0; t < 8; ++t) {
        view.setPosition(t);
        QVERIFY(view.hasNumbers());
        const FormulaNumbers& f = view.numbers();
        if (recomputable)
            QVERIFY2(f.max_abs_error <= 1e-5, qPrintable(QStringLiteral("%1 t=%2: %3").arg(norm).arg(t).arg(f.max_abs_error)));
        else
            QVERIFY(std::isnan(f.max_abs_error));
        if (norm == QLatin1String("rmsnorm")) QVERIFY(std::abs(f.xhat_mean) > 1e-6 || std::abs(f.mean) < 1e-6);
        if (norm == QLatin1String("dyt")) QVERIFY(f.alpha != 0);
    }
    QVERIFY(anyLabelContains(&view, recomputable ? QStringLiteral("Check: y recomputed") : QStringLiteral("not available for BatchNorm")));
}

void TestLessons::axesDiagramGroups() {
    using K = NormAxesDiagram::Kind;
    NormAxesDiagram d;
    d.resize(480, 360);
    d.show();
    d.setFocusCell(1, 2, 3);
    QVERIFY(d.setKindName(QStringLiteral("layernorm")));
    QCOMPARE(d.sharedCount(), NormAxesDiagram::kD);
    QVERIFY(d.setKindName(QStringLiteral("batchnorm")));
    QCOMPARE(d.kind(), K::BatchNorm);
    QCOMPARE(d.sharedCount(), NormAxesDiagram::kB * NormAxesDiagram::kT);
    QVERIFY(d.setKindName(QStringLiteral("rmsnorm")));
    QCOMPARE(d.sharedCount(), NormAxesDiagram::kD);
    QVERIFY(!d.setKindName(QStringLiteral("groupnorm")));
    QCOMPARE(d.kind(), K::RMSNorm);
    QVERIFY(NormAxesDiagram::sharesStatistics(K::LayerNorm, 1, 2, 7, 1, 2, 0));
    QVERIFY(!NormAxesDiagram::sharesStatistics(K::LayerNorm, 0, 2, 3, 1, 2, 3));
    QVERIFY(NormAxesDiagram::sharesStatistics(K::BatchNorm, 0, 5, 3, 3, 0, 3));
    QVERIFY(!NormAxesDiagram::sharesStatistics(K::BatchNorm, 1, 2, 4, 1, 2, 3));
    auto* combo = d.findChild<QComboBox*>(QStringLiteral("axesKind"));
    QVERIFY(combo);
    combo->setCurrentIndex(1);
    QCOMPARE(d.kind(), K::BatchNorm);
    // hovering a cell chooses it
    QWidget* canvas = d.findChild<QWidget*>(QStringLiteral("axesCanvas"));
    QVERIFY(canvas && canvas == d.canvas());
    d.setFocusCell(0, 0, 0);
    QTest::mouseMove(canvas, d.cellCenter(3, 4, 5));
    QCOMPARE(d.focusBatch(), 3);
    QCOMPARE(d.focusPosition(), 4);
    QCOMPARE(d.focusFeature(), 5);
}

// The panel hands its snapshot to the formula view, opens it where the step says, and leaves the
// student's own choice alone when the prediction is checked.
void TestLessons::panelFeedsFormulaView() {
    LessonPanel panel(lessonsPath());
    panel.resize(560, 1000);
    panel.show();
    panel.startLesson(0);
    const auto& steps = panel.book().lessons[0].steps;
    const SnapshotPtr snap = train(ns::load_experiment_file(panel.book().lessons[0].experimentPath.toStdString()), 2);
    panel.setSnapshot(snap);
    int viewStep = -1, predictViewStep = -1;
    for (int k = 0; k < static_cast<int>(steps.size()); ++k) {
        const LessonStep& st = steps[static_cast<std::size_t>(k)];
        if (st.view && st.view->kind == QLatin1String("formula") && viewStep < 0 && !st.prediction) viewStep = k;
        if (st.view && st.view->kind == QLatin1String("formula") && st.prediction) predictViewStep = k;
    }
    QVERIFY(viewStep >= 0 && predictViewStep > viewStep);
    while (panel.currentStep() < viewStep) panel.nextStep();
    LayerNormFormulaView* view = panel.formulaView();
    QVERIFY(view->isVisible());
    QVERIFY(view->hasNumbers());
    const LessonView& v = *steps[static_cast<std::size_t>(viewStep)].view;
    QCOMPARE(view->position(), v.position);
    QCOMPARE(view->shownStep(), v.step == QLatin1String("init") ? 0L : 2L);
    QVERIFY(view->numbers().max_abs_error <= 1e-5);

    while (panel.currentStep() < predictViewStep) panel.nextStep();
    const LessonView& pv = *steps[static_cast<std::size_t>(predictViewStep)].view;
    auto* run = view->findChild<QComboBox*>(QStringLiteral("formulaRun"));
    QCOMPARE(run->currentIndex(), pv.run);
    const int other = pv.run == 0 ? 1 : 0;
    run->setCurrentIndex(other);
    view->setPosition(5);
    panel.findChild<QRadioButton*>(QStringLiteral("predictionChoice:0"))->click();
    panel.findChild<QPushButton*>(QStringLiteral("checkPrediction"))->click();
    QCOMPARE(run->currentIndex(), other);
    QCOMPARE(view->position(), 5);
    // a newer snapshot keeps the choice too
    panel.setSnapshot(snap);
    QCOMPARE(run->currentIndex(), other);
    QVERIFY(view->hasNumbers());
}

QTEST_MAIN(TestLessons)
#include "tst_ui_lessons.moc"
