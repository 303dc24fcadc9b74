// The guided lessons panel: pick a lesson, read its steps one at a time (English or Simplified
// Chinese), commit to a prediction before running, and let the window train the lesson's
// experiment and put the right chart on screen. Lessons that need them show a special view
// inside the panel: LayerNorm's formula on the engine's numbers, or the B x T x D diagram of
// which numbers share a mean and variance.
//
// The panel never touches the training itself; it asks the window through signals:
//   experimentRequested(path)  when a lesson starts (startLesson(), or the lesson list);
//   runRequested()             when the student presses Run on a step that trains;
//   showRequested(...)         for a step with "show": on entering the step, or, if the step
//                              has a prediction, once the prediction is checked or Run pressed
//                              (so the chart does not give the answer away). A step's special
//                              view and its "look" text wait for the prediction the same way.
// Nothing is emitted from the constructor: call startLesson(currentLesson()) when the lessons
// open, after connecting.
#pragma once

#include <QString>
#include <QWidget>

#include <map>
#include <vector>

#include "ui/lessons.h"
#include "ui/rundata.h"

QT_BEGIN_NAMESPACE
class QButtonGroup;
class QComboBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTextBrowser;
class QVBoxLayout;
QT_END_NAMESPACE

namespace nsui {

class LayerNormFormulaView;
class NormAxesDiagram;

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonPanel(const QString& lessonsJsonPath, QWidget* parent = nullptr);
    ~LessonPanel() override;

    bool isLoaded() const { return loaded_; }
    QString loadError() const { return loadError_; }  // why lessons.json was refused, or empty
    const LessonBook& book() const { return book_; }

    int lessonCount() const { return static_cast<int>(book_.lessons.size()); }
    int currentLesson() const { return lesson_; }
    int currentStep() const { return step_; }
    int stepCount() const;  // of the current lesson
    QString language() const { return language_; }

    LayerNormFormulaView* formulaView() const { return formula_; }
    NormAxesDiagram* axesDiagram() const { return axes_; }

public Q_SLOTS:
    // "en" or "zh": the lesson texts switch at once; the panel's own labels follow tr().
    void setLanguage(const QString& language);
    void setSnapshot(const SnapshotPtr& s);
    // Shows the lesson's first step and emits experimentRequested with its experiment file.
    void startLesson(int index);
    void nextStep();      // past the last step: the next lesson
    void previousStep();

Q_SIGNALS:
    void experimentRequested(const QString& absolutePathOfExperimentFile);
    void runRequested();
    void showRequested(const QString& tab, const QString& site, int layer, const QString& step);

protected:
    void changeEvent(QEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    struct StepState {
        int choice = -1;       // the prediction picked, -1 none
        bool checked = false;  // "Check my prediction" pressed
        bool revealed = false; // checked or Run pressed: chart, view and "look" may show
    };
    StepState& state();
    const LessonStep* current() const;
    void retranslate();
    void fillLessonList();
    void enterStep(int step);
    void render();            // text, prediction, view and buttons of the current step
    void buildChoices(const LessonStep& s);
    void updateButtons();
    void updateStatus();
    void fitText();           // the text takes only the room it needs when more is below it
    void revealShow();        // emits showRequested once per visit of a step
    void onChoice(int index);
    void onCheck();
    void onRun();

    LessonBook book_;
    bool loaded_ = false;
    QString loadError_;
    QString language_ = QStringLiteral("en");
    int lesson_ = 0, step_ = 0;
    bool showEmitted_ = false;  // showRequested sent during this visit of the step
    std::map<std::pair<int, int>, StepState> states_;
    std::vector<QString> lessonRunNames_;  // run names of the lesson's experiment, to follow its training
    QString experimentError_;
    SnapshotPtr snap_;

    QLabel* lessonLabel_ = nullptr;
    QComboBox* lessonList_ = nullptr;
    QLabel* progress_ = nullptr;
    QTextBrowser* text_ = nullptr;
    QGroupBox* predictionBox_ = nullptr;
    QLabel* question_ = nullptr;
    QVBoxLayout* choicesLayout_ = nullptr;
    QWidget* choicesHost_ = nullptr;
    QButtonGroup* choiceGroup_ = nullptr;
    QPushButton* check_ = nullptr;
    QLabel* verdict_ = nullptr;
    QStackedWidget* views_ = nullptr;
    LayerNormFormulaView* formula_ = nullptr;
    NormAxesDiagram* axes_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* back_ = nullptr;
    QPushButton* run_ = nullptr;
    QPushButton* next_ = nullptr;
};

}  // namespace nsui
