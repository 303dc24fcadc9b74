#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QAbstractAxis>
#include <QAbstractButton>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QActionGroup>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QLegend>
#include <QScatterSeries>
#include <QSpinBox>
#include <QXYSeries>
#include <QHBoxLayout>
#include <QLibraryInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QVBoxLayout>
#include <QPushButton>
#include <QFrame>
#include <QMimeData>
#include <QProgressBar>
#include <QSaveFile>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>

#include "ui/autosaver.h"
#include "ui/chartexport.h"
#include "ui/curveschart.h"
#include "ui/experimentpanel.h"
#include "ui/gradnormchart.h"
#include "ui/heatmap.h"
#include "ui/lessonpanel.h"
#include "ui/resourcedir.h"
#include "ui/normstatschart.h"
#include "ui/settings.h"

namespace nsui {

MainWindow::MainWindow(const ns::Experiment& experiment, QWidget* parent) : QMainWindow(parent) {
    setObjectName("MainWindow");
    controller_ = new TrainingController(this);
    controller_->setThreads(settings::threads.get());
    connect(controller_, &TrainingController::stateChanged, this, &MainWindow::onStateChanged);
    connect(controller_, &TrainingController::failed, this,
            [this](const QString& msg) { showError(tr("Training stopped"), msg); });
    autosaver_ = new Autosaver(controller_->store(), this);
    redrawTimer_.setInterval(50);  // at most 20 redraws a second
    connect(&redrawTimer_, &QTimer::timeout, this, &MainWindow::redraw);

    loadTranslation(settings::language.get());
    buildUi();
    setAcceptDrops(true);
    resize(1500, 920);
    restoreGeometry(settings::windowGeometry.get());
    restoreState(settings::windowState.get());
    tabs_->setCurrentIndex(settings::currentTab.get());

    panel_->setExperiment(experiment);
    onExperimentChanged(experiment);
    updateActions();
    redrawTimer_.start();
    QTimer::singleShot(0, this, &MainWindow::checkForRestore);
}

void MainWindow::buildUi() {
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("chartTabs");
    curves_ = new TrainingCurvesChart;
    normStats_ = new NormStatsChart;
    gradNorms_ = new GradNormChart;
    heatmaps_ = new NormHeatmapPanel;
    tabs_->addTab(curves_, tr("Training curves"));
    tabs_->addTab(normStats_, tr("Norm statistics"));
    tabs_->addTab(gradNorms_, tr("Gradient norms"));
    tabs_->addTab(heatmaps_, tr("Heatmaps"));
    tabs_->setTabToolTip(0, tr("Loss and accuracy of every run, step by step."));
    tabs_->setTabToolTip(1, tr("Mean and variance of each position's vector entering and leaving a norm."));
    tabs_->setTabToolTip(2, tr("Gradient norm per layer and per parameter group."));
    tabs_->setTabToolTip(3, tr("Variance entering each norm by layer and position; residual-stream RMS by layer."));
    central_ = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central_);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    restoreBar_ = new QFrame;
    restoreBar_->setObjectName("restoreBar");
    restoreBar_->setStyleSheet("#restoreBar { background: #fff4ce; border-bottom: 1px solid #d9b44a; }");
    auto* barLayout = new QHBoxLayout(restoreBar_);
    restoreText_ = new QLabel;
    restoreText_->setWordWrap(true);
    restoreText_->setObjectName("restoreText");
    auto* restoreButton = new QPushButton(tr("Restore"));
    restoreButton->setObjectName("restoreButton");
    restoreButton->setToolTip(tr("Show this experiment and its results as they were last saved."));
    auto* discardButton = new QPushButton(tr("Discard"));
    discardButton->setObjectName("discardButton");
    discardButton->setToolTip(tr("Forget it. A headless run's own output folder is kept."));
    connect(restoreButton, &QPushButton::clicked, this, &MainWindow::restoreOffered);
    connect(discardButton, &QPushButton::clicked, this, &MainWindow::discardOffered);
    barLayout->addWidget(restoreText_, 1);
    barLayout->addWidget(restoreButton);
    barLayout->addWidget(discardButton);
    centralLayout->addWidget(restoreBar_);
    centralLayout->addWidget(tabs_, 1);
    setCentralWidget(central_);
    showRestoreOffer();
    tabVersion_.fill(0);
    drawnVersion_ = 0;
    connect(tabs_, &QTabWidget::currentChanged, this,
            [this](int tab) { showSnapshotInTab(tab, controller_->store().snapshot()); });

    panel_ = new ExperimentPanel;
    experimentDock_ = new QDockWidget(tr("Experiment"), this);
    experimentDock_->setObjectName("experimentDock");
    experimentDock_->setWidget(panel_);
    experimentDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, experimentDock_);
    connect(panel_, &ExperimentPanel::experimentChanged, this, &MainWindow::onExperimentChanged);

    lessons_ = new LessonPanel(resourcePath("lessons/lessons.json"));
    lessons_->setLanguage(language_.startsWith("zh") ? "zh" : "en");
    lessonDock_ = new QDockWidget(tr("Lessons"), this);
    lessonDock_->setObjectName("lessonDock");
    lessonDock_->setWidget(lessons_);
    lessonDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, lessonDock_);
    tabifyDockWidget(experimentDock_, lessonDock_);
    experimentDock_->raise();
    connect(lessons_, &LessonPanel::experimentRequested, this, [this](const QString& path) { openFile(path); });
    connect(lessons_, &LessonPanel::runRequested, this, [this] {
        if (controller_->state() == TrainingController::State::Finished) controller_->reset();
        controller_->run();
    });
    connect(lessons_, &LessonPanel::showRequested, this, &MainWindow::showForLesson);

    buildActions();
    buildStatusBar();
}

void MainWindow::teardownUi() {
    for (QMenu* m : menuBar()->findChildren<QMenu*>(Qt::FindDirectChildrenOnly)) m->deleteLater();
    menuBar()->clear();
    for (QAction* a : {presentAction_, leaveAction_}) removeAction(a);
    delete leaveAction_;
    leaveAction_ = nullptr;
    presentAction_ = nullptr;  // owned by its menu
    delete runToolBar_;
    runToolBar_ = nullptr;
    for (QAction* a : {runAction_, pauseAction_, stepAction_, resetAction_, toggleAction_}) {
        removeAction(a);
        delete a;
    }
    delete experimentDock_;  // deletes the panel
    experimentDock_ = nullptr;
    delete lessonDock_;  // deletes the lessons
    lessonDock_ = nullptr;
    lessons_ = nullptr;
    panel_ = nullptr;
    delete central_;  // deletes the charts and the restore bar
    central_ = nullptr;
    tabs_ = nullptr;
    restoreBar_ = nullptr;
    restoreText_ = nullptr;
    delete stateLabel_;
    delete runLabelBox_;  // deletes the run labels
    delete progress_;
    runLabels_.clear();
}

bool MainWindow::loadTranslation(const QString& code) {
    QString lang = code;
    if (lang.isEmpty()) lang = QLocale::system().name().startsWith("zh") ? "zh_CN" : "en";
    qApp->removeTranslator(&translator_);
    qApp->removeTranslator(&qtTranslator_);
    language_ = lang;
    if (lang == "en") return true;
    const bool ok = translator_.load(QString(":/i18n/normscope_%1.qm").arg(lang));
    if (ok) qApp->installTranslator(&translator_);
    if (qtTranslator_.load(QLocale(lang), "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        qApp->installTranslator(&qtTranslator_);
    return ok;
}

void MainWindow::setLanguage(const QString& code) {
    settings::language.set(code);
    if (presenting_) setPresentationMode(false);
    const ns::Experiment e = panel_->experiment();
    const int tab = tabs_->currentIndex();
    const QByteArray state = saveState();
    teardownUi();
    loadTranslation(code);
    buildUi();
    restoreState(state);
    panel_->setExperiment(e);
    tabs_->setCurrentIndex(tab);
    setWindowTitle(tr("NormScope — %1").arg(QString::fromStdString(e.name)));
    updateActions();
    redrawNow();
    Q_EMIT languageChanged(language_);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open experiment..."), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    auto* save = file->addAction(tr("&Save experiment as..."), this, &MainWindow::saveDialog);
    save->setShortcut(QKeySequence::Save);
    auto* builtin = file->addAction(tr("Open the &built-in experiment"), this, [this] {
        if (controller_->busy()) controller_->reset();
        panel_->setExperiment(ns::default_experiment());
        onExperimentChanged(panel_->experiment());
        setCurrentPath(QString());
    });
    builtin->setToolTip(tr("Post-LN vs Pre-LN, the experiment NormScope opens with."));
    file->addSeparator();
    auto* exportChart = file->addAction(tr("&Export chart..."), this, &MainWindow::exportChartDialog);
    exportChart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportChart->setToolTip(tr("The chart on screen as PNG, SVG or PDF, or its data as CSV."));
    auto* exportAll = file->addAction(tr("Export &all..."), this, &MainWindow::exportAllDialog);
    exportAll->setToolTip(tr("A folder with the experiment, every CSV and every chart, which NormScope reopens."));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* train = menuBar()->addMenu(tr("&Training"));
    runAction_ = new QAction(tr("Run"), this);
    runAction_->setObjectName("runAction");
    runAction_->setToolTip(tr("Train every run, or continue after a pause (Space)"));
    pauseAction_ = new QAction(tr("Pause"), this);
    pauseAction_->setObjectName("pauseAction");
    pauseAction_->setToolTip(tr("Pause after the current step (Space)"));
    stepAction_ = new QAction(tr("Step"), this);
    stepAction_->setObjectName("stepAction");
    stepAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    stepAction_->setToolTip(tr("Train exactly one more step (Ctrl+.)"));
    resetAction_ = new QAction(tr("Reset"), this);
    resetAction_->setObjectName("resetAction");
    resetAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    resetAction_->setToolTip(tr("Stop and go back to the initial weights (Ctrl+R)"));
    toggleAction_ = new QAction(tr("Run / pause"), this);
    toggleAction_->setShortcut(QKeySequence(Qt::Key_Space));
    connect(runAction_, &QAction::triggered, controller_, &TrainingController::run);
    connect(pauseAction_, &QAction::triggered, controller_, &TrainingController::pause);
    connect(stepAction_, &QAction::triggered, controller_, &TrainingController::step);
    connect(resetAction_, &QAction::triggered, controller_, &TrainingController::reset);
    connect(toggleAction_, &QAction::triggered, this, [this] {
        const auto s = controller_->state();
        if (s == TrainingController::State::Running || (s == TrainingController::State::Preparing && !controller_->startsPaused()))
            controller_->pause();
        else controller_->run();
    });
    addAction(toggleAction_);
    for (auto* a : {runAction_, pauseAction_, stepAction_, resetAction_}) train->addAction(a);

    auto* tb = addToolBar(tr("Run controls"));
    runToolBar_ = tb;
    tb->setObjectName("runToolBar");
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    runAction_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    pauseAction_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    stepAction_->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    resetAction_->setIcon(style()->standardIcon(QStyle::SP_MediaSkipBackward));
    for (auto* a : {runAction_, pauseAction_, stepAction_, resetAction_}) tb->addAction(a);

    auto* view = menuBar()->addMenu(tr("&View"));
    presentAction_ = view->addAction(tr("&Presentation mode"));
    presentAction_->setObjectName("presentAction");
    presentAction_->setCheckable(true);
    presentAction_->setChecked(presenting_);
    presentAction_->setShortcut(QKeySequence(Qt::Key_F11));
    presentAction_->setToolTip(tr("Full screen, large type and thick lines for a class (F11; Esc leaves)"));
    connect(presentAction_, &QAction::toggled, this, &MainWindow::setPresentationMode);
    addAction(presentAction_);  // F11 works while the menu bar is hidden
    leaveAction_ = new QAction(this);
    leaveAction_->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(leaveAction_, &QAction::triggered, this, [this] { if (presenting_) setPresentationMode(false); });
    addAction(leaveAction_);
    auto* langMenu = view->addMenu(tr("&Language"));
    const QList<QPair<QString, QString>> languages = {
        {QString(), tr("Follow the system")}, {"en", QStringLiteral("English")}, {"zh_CN", QStringLiteral("简体中文")}};
    auto* langGroup = new QActionGroup(langMenu);
    const QString chosen = settings::language.get();
    for (const auto& [code, label] : languages) {
        QAction* a = langMenu->addAction(label);
        a->setCheckable(true);
        a->setChecked(code == chosen);
        a->setObjectName("language:" + (code.isEmpty() ? QString("system") : code));
        langGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = code] {
            // Rebuilt after this slot returns: the menu that sent it is replaced.
            QTimer::singleShot(0, this, [this, code] { setLanguage(code); });
        });
    }

    view->addSeparator();
    view->addAction(experimentDock_->toggleViewAction());
    view->addAction(lessonDock_->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About NormScope"), this, &MainWindow::about);
}

void MainWindow::buildStatusBar() {
    stateLabel_ = new QLabel;
    stateLabel_->setObjectName("stateLabel");
    statusBar()->addWidget(stateLabel_);
    runLabelBox_ = new QWidget;
    auto* h = new QHBoxLayout(runLabelBox_);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(16);
    statusBar()->addWidget(runLabelBox_, 1);
    progress_ = new QProgressBar;
    progress_->setObjectName("progress");
    progress_->setMinimumWidth(180);
    progress_->setMaximumWidth(360);
    progress_->setFormat(tr("%v / %m steps"));
    statusBar()->addPermanentWidget(progress_);
}

void MainWindow::updateActions() {
    using S = TrainingController::State;
    const S s = controller_->state();
    const bool pausedSoon = controller_->startsPaused();  // Pause or Step while the models are built
    runAction_->setEnabled(((s != S::Running && s != S::Preparing) || pausedSoon) && s != S::Finished && panel_->isValid());
    pauseAction_->setEnabled(s == S::Running || (s == S::Preparing && !pausedSoon));
    stepAction_->setEnabled(s != S::Finished && panel_->isValid());
    resetAction_->setEnabled(s != S::Idle || controller_->store().snapshot()->step > 0);
    panel_->setLocked(controller_->busy());
    QString text;
    switch (s) {
    case S::Idle: text = controller_->store().snapshot()->step > 0 ? tr("Stopped") : tr("Ready"); break;
    case S::Preparing: text = pausedSoon ? tr("Preparing (will start paused)") : tr("Preparing"); break;
    case S::Running: text = tr("Training"); break;
    case S::Paused: text = tr("Paused"); break;
    case S::Finished: text = tr("Finished"); break;
    case S::Failed: text = tr("Failed"); break;
    }
    stateLabel_->setText("<b>" + text + "</b>");
}

void MainWindow::onStateChanged(TrainingController::State) {
    updateActions();
    redraw();
}

void MainWindow::onExperimentChanged(const ns::Experiment& e) {
    if (!controller_->busy()) controller_->setExperiment(e);
    settings::lastExperimentJson.set(QString::fromStdString(ns::to_json(e).dump(2)));
    setWindowTitle(tr("NormScope — %1").arg(QString::fromStdString(e.name)));
    updateActions();
    redraw();
}

void MainWindow::redrawNow() {
    const SnapshotPtr s = controller_->store().snapshot();
    drawnVersion_ = s->version;
    curves_->setSnapshot(s);
    normStats_->setSnapshot(s);
    gradNorms_->setSnapshot(s);
    heatmaps_->setSnapshot(s);
    for (auto& v : tabVersion_) v = s->version;
    updateStatus(*s);
}

// Only the visible chart is redrawn; the others catch up when their tab is shown.
void MainWindow::redraw() {
    RunStore& store = controller_->store();
    if (store.version() == drawnVersion_ && drawnVersion_ != 0) return;
    const SnapshotPtr s = store.snapshot();
    drawnVersion_ = s->version;
    showSnapshotInTab(tabs_->currentIndex(), s);
    if (lessonDock_->isVisible()) lessons_->setSnapshot(s);
    updateStatus(*s);
}

void MainWindow::showForLesson(const QString& tab, const QString& site, int layer, const QString& step) {
    static const QStringList names = {"curves", "normstats", "gradnorms", "heatmaps"};
    const int index = names.indexOf(tab);
    if (index < 0) return;
    redrawNow();
    tabs_->setCurrentIndex(index);
    QWidget* chart = tabs_->widget(index);
    auto setCombo = [&](const char* name, const QString& data) {
        if (auto* c = chart->findChild<QComboBox*>(name)) {
            const int i = c->findData(data);
            if (i >= 0) c->setCurrentIndex(i);
        }
    };
    auto setStep = [&](const char* name) {
        if (auto* sl = chart->findChild<QAbstractSlider*>(name))
            sl->setValue(step == "init" ? sl->minimum() : sl->maximum());
    };
    if (!site.isEmpty()) {
        setCombo("normSite", site);
        setCombo("heatSite", site);
    }
    if (layer >= 0)
        if (auto* sp = chart->findChild<QSpinBox*>("normLayer")) sp->setValue(layer);
    if (!step.isEmpty()) {
        setStep("normStep");
        setStep("gradStep");
        setStep("heatStep");
    }
}

void MainWindow::showSnapshotInTab(int tab, const SnapshotPtr& s) {
    if (tab < 0 || tab >= int(tabVersion_.size()) || tabVersion_[tab] == s->version) return;
    tabVersion_[tab] = s->version;
    switch (tab) {
    case 0: curves_->setSnapshot(s); break;
    case 1: normStats_->setSnapshot(s); break;
    case 2: gradNorms_->setSnapshot(s); break;
    case 3: heatmaps_->setSnapshot(s); break;
    default: break;
    }
}

void MainWindow::updateStatus(const Snapshot& s) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (s.step < rateStep_) { rateStep_ = 0; rateTime_ = now; stepsPerSecond_ = 0; }
    if (rateTime_ == 0) { rateTime_ = now; rateStep_ = s.step; }
    if (now - rateTime_ >= 500 && s.step > rateStep_) {
        const double inst = double(s.step - rateStep_) * 1000.0 / double(now - rateTime_);
        stepsPerSecond_ = stepsPerSecond_ > 0 ? 0.5 * stepsPerSecond_ + 0.5 * inst : inst;
        rateStep_ = s.step;
        rateTime_ = now;
    }
    while (runLabels_.size() < int(s.runs.size())) {
        auto* l = new QLabel;
        l->setObjectName(QString("runStatus:%1").arg(runLabels_.size()));
        runLabelBox_->layout()->addWidget(l);
        runLabels_.append(l);
    }
    while (runLabels_.size() > int(s.runs.size())) delete runLabels_.takeLast();
    const bool running = controller_->state() == TrainingController::State::Running;
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
        const RunSeries& r = s.runs[i];
        QString text = QString("<span style='color:%1'>&#9632;</span> <b>%2</b> ").arg(r.color.name(), r.name.toHtmlEscaped());
        if (r.status.diverged) {
            text += tr("diverged at step %1 (%2)").arg(r.status.diverged_step).arg(QString::fromStdString(r.status.cause));
        } else {
            text += tr("step %1").arg(r.status.step);
            if (!r.metrics.empty()) text += tr(" · loss %1").arg(r.metrics.back().train_loss, 0, 'f', 4);
            if (running && stepsPerSecond_ > 0) {
                const double eta = double(r.train.steps - r.status.step) / stepsPerSecond_;
                text += tr(" · %1 steps/s · ETA %2 s").arg(stepsPerSecond_, 0, 'f', 1).arg(std::max(0.0, eta), 0, 'f', 0);
            }
        }
        runLabels_[i]->setText(text);
    }
    progress_->setMaximum(int(std::max<long>(1, s.total_steps)));
    progress_->setValue(int(std::min(s.step, s.total_steps)));
}

void MainWindow::showError(const QString& title, const QString& text) {
    lastMessage_ = text;
    statusBar()->showMessage(text, 10000);
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorBox");
    box->open();
}

void MainWindow::checkForRestore() {
    orphans_.clear();
    for (const ns::SessionRecord& r : ns::orphaned_sessions()) {
        if (r.saved_step <= 0) ns::forget_session(r);  // nothing was trained: nothing to offer
        else orphans_.push_back(r);
    }
    showRestoreOffer();
}

void MainWindow::showRestoreOffer() {
    if (!restoreBar_) return;
    if (orphans_.empty()) {
        restoreBar_->hide();
        return;
    }
    const ns::SessionRecord& r = orphans_.front();
    const QString what = QString::fromStdString(r.experiment_name);
    const QString when = QString::fromStdString(r.saved_at);
    QString text;
    if (r.kind == "train")
        text = tr("A headless training of %1 was interrupted (saved at %2, step %3 of %4; files in %5).")
                   .arg(what, when)
                   .arg(r.saved_step)
                   .arg(r.total_steps)
                   .arg(QString::fromStdString(r.results_dir));
    else
        text = tr("NormScope did not close cleanly. The training of %1 was saved at %2, step %3 of %4.")
                   .arg(what, when)
                   .arg(r.saved_step)
                   .arg(r.total_steps);
    if (orphans_.size() > 1) text += " " + tr("(%n more after this one)", "", int(orphans_.size() - 1));
    restoreText_->setText(text);
    restoreBar_->show();
}

void MainWindow::restoreOffered() {
    if (orphans_.empty()) return;
    const ns::SessionRecord r = orphans_.front();
    ns::Results res;
    try {
        res = ns::read_results(r.results_dir);
    } catch (const std::exception& err) {
        showError(tr("Nothing was restored"),
                  tr("%1\n\nThe current experiment is unchanged.").arg(QString::fromStdString(err.what())));
        return;
    }
    orphans_.erase(orphans_.begin());
    if (controller_->busy()) controller_->reset();
    panel_->setExperiment(res.experiment);
    onExperimentChanged(res.experiment);
    controller_->showResults(res);
    // A window session's autosave is forgotten once it is saved again under this window's session;
    // a headless run's record right away (its folder stays where it is).
    if (r.kind == "window") autosaver_->forgetAfterNextSave(r);
    else ns::forget_session(r);
    autosaver_->saveNow();
    redrawNow();
    statusBar()->showMessage(tr("Restored %1, step %2").arg(QString::fromStdString(r.experiment_name)).arg(r.saved_step), 8000);
    showRestoreOffer();
}

void MainWindow::discardOffered() {
    if (orphans_.empty()) return;
    ns::forget_session(orphans_.front());
    orphans_.erase(orphans_.begin());
    showRestoreOffer();
}

bool MainWindow::openFile(const QString& path) {
    ns::Experiment e;
    try {
        e = ns::load_experiment_checked(path.toStdString());
    } catch (const std::exception& err) {
        showError(tr("The experiment was not opened"),
                  tr("%1\n\nThe current experiment is unchanged.").arg(QString::fromStdString(err.what())));
        return false;
    }
    if (controller_->busy()) controller_->reset();
    panel_->setExperiment(e);
    onExperimentChanged(e);
    setCurrentPath(path);
    addRecent(QFileInfo(path).absoluteFilePath());
    return true;
}

bool MainWindow::saveFile(const QString& path) {
    QSaveFile f(path);
    const QByteArray data = QByteArray::fromStdString(ns::to_json(panel_->experiment()).dump(2) + "\n");
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        showError(tr("The experiment was not saved"), tr("%1: %2").arg(path, f.errorString()));
        return false;
    }
    setCurrentPath(path);
    addRecent(QFileInfo(path).absoluteFilePath());
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
    return true;
}

void MainWindow::setCurrentPath(const QString& path) {
    currentPath_ = path;
    settings::lastExperimentPath.set(path);
    if (!path.isEmpty()) settings::lastDirectory.set(QFileInfo(path).absolutePath());
}

void MainWindow::openDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), settings::lastDirectory.get(),
                                                      tr("NormScope experiments (*.json);;All files (*)"));
    if (!path.isEmpty()) openFile(path);
}

void MainWindow::saveDialog() {
    QString suggested = currentPath_;
    if (suggested.isEmpty())
        suggested = settings::lastDirectory.get() + "/" +
                    QString::fromStdString(ns::file_safe_name(panel_->experiment().name)) + ".json";
    QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), suggested, tr("NormScope experiments (*.json)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".json", Qt::CaseInsensitive)) path += ".json";
    saveFile(path);
}

QString MainWindow::chartName(int tab) {
    static const char* names[] = {"curves", "normstats", "gradnorms", "heatmaps"};
    return tab >= 0 && tab < 4 ? QString::fromLatin1(names[tab]) : QString();
}

bool MainWindow::exportChart(int tab, const QString& path, double scale) {
    QString error;
    bool ok = false;
    if (path.endsWith(".csv", Qt::CaseInsensitive)) {
        QSaveFile f(path);
        const QByteArray data = chartCsv(chartName(tab), *controller_->store().snapshot()).toUtf8();
        ok = f.open(QIODevice::WriteOnly) && f.write(data) == data.size() && f.commit();
        if (!ok) error = tr("%1: %2").arg(path, f.errorString());
    } else {
        ImageFormat format;
        if (!formatFromSuffix(path, &format)) {
            error = tr("%1: the name must end in .png, .svg, .pdf or .csv").arg(path);
        } else {
            redrawNow();
            ok = exportWidget(tabs_->widget(tab), path, format, scale, &error);
        }
    }
    if (!ok) showError(tr("The chart was not exported"), error);
    else statusBar()->showMessage(tr("Exported %1").arg(path), 4000);
    return ok;
}

bool MainWindow::exportAll(const QString& dir, QStringList* written) {
    redrawNow();
    QList<QPair<QString, QWidget*>> charts;
    const int current = tabs_->currentIndex();
    for (int i = 0; i < tabs_->count(); ++i) charts.append({chartName(i), tabs_->widget(i)});
    const auto onScreen = [this](QWidget* chart) {  // each tab drawn while shown, at its on-screen size
        tabs_->setCurrentWidget(chart);
        QCoreApplication::processEvents();
    };
    QStringList files;
    QString error;
    const bool ok = exportBundle(dir, panel_->experiment(), *controller_->store().snapshot(), charts,
                                 {ImageFormat::Png, ImageFormat::Svg, ImageFormat::Pdf}, 2.0, &files, &error, onScreen);
    tabs_->setCurrentIndex(current);
    if (written) *written = files;
    if (!ok) showError(tr("The bundle was not exported"), error);
    else statusBar()->showMessage(tr("Exported %1 files to %2").arg(files.size()).arg(dir), 6000);
    return ok;
}

void MainWindow::exportChartDialog() {
    const int tab = tabs_->currentIndex();
    const QString suggested = settings::lastDirectory.get() + "/" + chartName(tab) + ".png";
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export chart"), suggested,
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv)"), &selected);
    if (path.isEmpty()) return;
    double scale = 2.0;
    if (path.endsWith(".png", Qt::CaseInsensitive)) {
        bool ok = false;
        scale = QInputDialog::getDouble(this, tr("PNG scale"), tr("Pixels per screen pixel (2 for slides, 4 for print):"),
                                        2.0, 0.5, 8.0, 1, &ok);
        if (!ok) return;
    }
    exportChart(tab, path, scale);
}

void MainWindow::exportAllDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all into folder"), settings::lastDirectory.get());
    if (!dir.isEmpty()) exportAll(dir);
}

void MainWindow::addRecent(const QString& path) {
    QStringList r = settings::recentFiles.get();
    r.removeAll(path);
    r.prepend(path);
    while (r.size() > settings::kMaxRecentFiles) r.removeLast();
    settings::recentFiles.set(r);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList r = settings::recentFiles.get();
    for (const QString& p : r) recentMenu_->addAction(QFileInfo(p).fileName(), this, [this, p] { openFile(p); })->setToolTip(p);
    recentMenu_->setEnabled(!r.isEmpty());
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About NormScope"),
                       tr("<h3>NormScope %1</h3>"
                          "<p>See, and teach, what normalization and residual connections do inside a Transformer.</p>"
                          "<p>The engine trains small Transformer encoders on the CPU with a hand-written backward "
                          "pass checked against finite differences; every chart shows the engine's own numbers.</p>"
                          "<p>Built with Qt %2, Eigen and oneTBB.</p>")
                           .arg(QString::fromLatin1(NORMSCOPE_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::setPresentationMode(bool on) {
    if (on == presenting_) return;
    presenting_ = on;
    if (presentAction_ && presentAction_->isChecked() != on) {
        QSignalBlocker block(presentAction_);
        presentAction_->setChecked(on);
    }
    if (on) {
        normalFont_ = font();
        QFont big = normalFont_;
        big.setPointSizeF(big.pointSizeF() * 1.5);
        setFont(big);
        menuBar()->hide();
        experimentDock_->hide();
        resetAction_->setVisible(false);
        // Widgets with fonts of their own (the lesson text) and the charts' fonts and pens:
        // scale them, and remember how to undo it.
        for (QWidget* own : findChildren<QWidget*>()) {
            if (!own->testAttribute(Qt::WA_SetFont) || own == this) continue;
            const QFont f = own->font();
            QFont f2 = f;
            f2.setPointSizeF(f.pointSizeF() * 1.5);
            own->setFont(f2);
            restoreLook_.push_back([w = QPointer<QWidget>(own), f] { if (w) w->setFont(f); });
        }
        // Charts:
        for (QChartView* v : findChildren<QChartView*>()) {
            QChart* c = v->chart();
            const QFont title = c->titleFont();
            QFont t2 = title;
            t2.setPointSizeF(t2.pointSizeF() * 1.5);
            c->setTitleFont(t2);
            const QFont legend = c->legend()->font();
            QFont l2 = legend;
            l2.setPointSizeF(l2.pointSizeF() * 1.5);
            c->legend()->setFont(l2);
            restoreLook_.push_back([c = QPointer<QChart>(c), title, legend] {
                if (c) { c->setTitleFont(title); c->legend()->setFont(legend); }
            });
            for (QAbstractAxis* a : c->axes()) {
                const QFont lf = a->labelsFont(), tf = a->titleFont();
                QFont lf2 = lf, tf2 = tf;
                lf2.setPointSizeF(lf.pointSizeF() * 1.5);
                tf2.setPointSizeF(tf.pointSizeF() * 1.5);
                a->setLabelsFont(lf2);
                a->setTitleFont(tf2);
                restoreLook_.push_back([a = QPointer<QAbstractAxis>(a), lf, tf] {
                    if (a) { a->setLabelsFont(lf); a->setTitleFont(tf); }
                });
            }
            for (QAbstractSeries* s : c->series()) {
                auto* xy = qobject_cast<QXYSeries*>(s);
                if (!xy || qobject_cast<QScatterSeries*>(s)) continue;
                const QPen pen = xy->pen();
                QPen thick = pen;
                thick.setWidthF(std::max(3.0, pen.widthF() * 2.5));
                xy->setPen(thick);
                restoreLook_.push_back([xy = QPointer<QXYSeries>(xy), pen] { if (xy) xy->setPen(pen); });
            }
        }
        qApp->installEventFilter(this);
        showFullScreen();
    } else {
        qApp->removeEventFilter(this);
        for (auto it = restoreLook_.rbegin(); it != restoreLook_.rend(); ++it) (*it)();
        restoreLook_.clear();
        for (const auto& w : hiddenForClass_)
            if (w) w->show();
        hiddenForClass_.clear();
        setFont(normalFont_);
        menuBar()->show();
        experimentDock_->show();
        resetAction_->setVisible(true);
        showNormal();
    }
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    if (presenting_ && event->type() == QEvent::ContextMenu) {
        auto* w = qobject_cast<QWidget*>(watched);
        const bool control = w && w->window() == this &&
                             (qobject_cast<QAbstractButton*>(w) || qobject_cast<QComboBox*>(w) ||
                              qobject_cast<QAbstractSlider*>(w) || qobject_cast<QAbstractSpinBox*>(w) ||
                              qobject_cast<QLabel*>(w) || qobject_cast<QToolBar*>(w));
        if (control) {
            QMenu menu;
            menu.addAction(tr("Hide this control"), [this, w] {
                hiddenForClass_.append(w);
                w->hide();
            });
            if (!hiddenForClass_.isEmpty())
                menu.addAction(tr("Show the hidden controls"), [this] {
                    for (const auto& h : hiddenForClass_)
                        if (h) h->show();
                    hiddenForClass_.clear();
                });
            menu.exec(static_cast<QContextMenuEvent*>(event)->globalPos());
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    settings::windowGeometry.set(saveGeometry());
    settings::windowState.set(saveState());
    settings::currentTab.set(tabs_->currentIndex());
    redrawTimer_.stop();
    controller_->cancel();  // the worker stops before its next step; the destructor waits for it
    e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    const auto urls = e->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile() && urls.first().toLocalFile().endsWith(".json", Qt::CaseInsensitive))
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    const auto urls = e->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) {
        openFile(urls.first().toLocalFile());
        e->acceptProposedAction();
    }
}

}  // namespace nsui
