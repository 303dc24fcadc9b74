// The main window: the experiment panel (a dock), the charts (tabs), the run controls and the
// status bar. Training runs in the controller's worker thread; the window redraws from
// snapshots on a coalescing timer, 20 times a second at most.
#pragma once

#include <QMainWindow>
#include <QTimer>
#include <QTranslator>
#include <QPointer>

#include <functional>
#include <vector>

#include <array>

#include "engine/config.h"
#include "engine/session.h"
#include "ui/rundata.h"
#include "ui/trainingcontroller.h"

class QAction;
class QDockWidget;
class QToolBar;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace nsui {

class Autosaver;
class ExperimentPanel;
class LessonPanel;
class TrainingCurvesChart;
class NormStatsChart;
class GradNormChart;
class NormHeatmapPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const ns::Experiment& experiment, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens an experiment file; a refused file leaves the current experiment untouched and
    // says why. Returns true if it was opened.
    bool openFile(const QString& path);
    bool saveFile(const QString& path);

    TrainingController& controller() { return *controller_; }
    LessonPanel* lessonPanel() const { return lessons_; }
    ExperimentPanel* experimentPanel() const { return panel_; }
    TrainingCurvesChart* curvesChart() const { return curves_; }
    NormStatsChart* normStatsChart() const { return normStats_; }
    GradNormChart* gradNormChart() const { return gradNorms_; }
    NormHeatmapPanel* heatmapPanel() const { return heatmaps_; }
    QTabWidget* tabs() const { return tabs_; }
    QString lastMessage() const { return lastMessage_; }  // the last error shown to the user
    void redrawNow();  // for tests: take a snapshot and redraw at once
    // Export: one chart tab (PNG/SVG/PDF by the file's suffix, or its data as .csv), or everything
    // into a bundle folder. Failures are shown and return false.
    bool exportChart(int tab, const QString& path, double scale = 2.0);
    bool exportAll(const QString& dir, QStringList* written = nullptr);
    static QString chartName(int tab);
    // Interface language: "en", "zh_CN", or "" to follow the system; switched without restart
    // (the widgets are rebuilt; the experiment and the training go on untouched).
    void setLanguage(const QString& code);
    // Presentation mode (F11, Esc leaves): full screen, large type, thick lines, only Run /
    // Pause / Step showing; right-click any control to hide it for the class.
    void setPresentationMode(bool on);
    bool presentationMode() const { return presenting_; }
    QString language() const { return language_; }
    Autosaver& autosaver() { return *autosaver_; }
    // Sessions that did not end cleanly (a crash, a kill, a headless run interrupted): the window
    // offers the newest one in a bar above the charts on start. Restore shows its experiment and
    // results as saved; Discard forgets it (a headless run's own folder is kept).
    QWidget* restoreBar() const { return restoreBar_; }
    void checkForRestore();
    void restoreOffered();  // what Restore does
    void discardOffered();  // what Discard does

Q_SIGNALS:
    void languageChanged(const QString& language);

public:

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildUi();
    void teardownUi();
    bool loadTranslation(const QString& code);
    void buildActions();
    void buildStatusBar();
    void updateActions();
    void onStateChanged(TrainingController::State s);
    void onExperimentChanged(const ns::Experiment& e);
    void redraw();
    void updateStatus(const Snapshot& s);
    void showSnapshotInTab(int tab, const SnapshotPtr& s);
    // A lesson asks to show a chart tab with a site, layer and step ("init" or "latest").
    void showForLesson(const QString& tab, const QString& site, int layer, const QString& step);
    void showError(const QString& title, const QString& text);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void openDialog();
    void exportChartDialog();
    void exportAllDialog();
    void saveDialog();
    void about();
    void setCurrentPath(const QString& path);

    void showRestoreOffer();
    TrainingController* controller_ = nullptr;
    Autosaver* autosaver_ = nullptr;
    std::vector<ns::SessionRecord> orphans_;  // offered, newest first
    QWidget* central_ = nullptr;
    QWidget* restoreBar_ = nullptr;
    QLabel* restoreText_ = nullptr;
    ExperimentPanel* panel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    TrainingCurvesChart* curves_ = nullptr;
    NormStatsChart* normStats_ = nullptr;
    GradNormChart* gradNorms_ = nullptr;
    NormHeatmapPanel* heatmaps_ = nullptr;
    QAction* runAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QAction* resetAction_ = nullptr;
    QAction* toggleAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QToolBar* runToolBar_ = nullptr;
    QDockWidget* experimentDock_ = nullptr;
    QDockWidget* lessonDock_ = nullptr;
    LessonPanel* lessons_ = nullptr;
    QTranslator translator_, qtTranslator_;
    QString language_ = "en";
    QAction* presentAction_ = nullptr;
    QAction* leaveAction_ = nullptr;
    bool presenting_ = false;
    QFont normalFont_;
    QList<QPointer<QWidget>> hiddenForClass_;
    std::vector<std::function<void()>> restoreLook_;  // undoes presentation styling
    QList<QLabel*> runLabels_;
    QWidget* runLabelBox_ = nullptr;
    QLabel* stateLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QTimer redrawTimer_;
    quint64 drawnVersion_ = 0;
    std::array<quint64, 4> tabVersion_{};  // snapshot version each chart tab shows
    QString currentPath_;
    QString lastMessage_;
    // for steps/s and ETA
    long rateStep_ = 0;
    qint64 rateTime_ = 0;
    double stepsPerSecond_ = 0;
};

}  // namespace nsui
