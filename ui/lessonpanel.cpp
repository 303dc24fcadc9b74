#include "ui/lessonpanel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QEvent>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QRadioButton>
#include <QResizeEvent>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>

#include "engine/config.h"
#include "ui/layernormformulaview.h"
#include "ui/normaxesdiagram.h"

namespace nsui {

namespace {

// Words that sit inside the lesson text itself follow the lesson's language, not the UI's.
struct LessonWords {
    const char* look;
    const char* predictFirst;
    const char* right;
    const char* wrong;  // %1: the right choice
};
const LessonWords& words(const QString& language) {
    static const LessonWords en{"Look:", "Make your prediction first: what there is to see comes once you check it or press Run.",
                                "Right.", "Not quite: the answer is \u201c%1\u201d."};
    static const LessonWords zh{"\u770b\u8fd9\u91cc\uff1a",
                                "\u5148\u505a\u51fa\u4f60\u7684\u9884\u6d4b\uff1a\u68c0\u67e5\u9884\u6d4b\u6216\u6309\u4e0b"
                                "\u201c\u8fd0\u884c\u201d\u4e4b\u540e\u624d\u4f1a\u663e\u793a\u8981\u770b\u7684\u5185\u5bb9\u3002",
                                "\u6b63\u786e\u3002", "\u4e0d\u5bf9\uff1a\u7b54\u6848\u662f\u201c%1\u201d\u3002"};
    return language == QLatin1String("zh") ? zh : en;
}

// Plain lesson text to HTML: blank lines separate paragraphs, single newlines break lines.
QString toHtml(const QString& text) {
    QStringList paragraphs;
    for (const QString& p : text.split(QStringLiteral("\n\n"), Qt::SkipEmptyParts))
        paragraphs << QStringLiteral("<p>") + p.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")) +
                          QStringLiteral("</p>");
    return paragraphs.join(QString());
}

// Clicking the label of a choice picks its radio button (radio buttons cannot wrap long text).
class ChoiceLabel : public QLabel {
public:
    ChoiceLabel(QRadioButton* button, QWidget* parent) : QLabel(parent), button_(button) {
        setWordWrap(true);
        setTextFormat(Qt::PlainText);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    }

protected:
    void mouseReleaseEvent(QMouseEvent* e) override {
        if (button_->isEnabled() && e->button() == Qt::LeftButton) button_->click();
        QLabel::mouseReleaseEvent(e);
    }

private:
    QRadioButton* button_;
};

}  // namespace

LessonPanel::LessonPanel(const QString& lessonsJsonPath, QWidget* parent) : QWidget(parent) {
    if (auto book = loadLessonBook(lessonsJsonPath, &loadError_)) {
        book_ = std::move(*book);
        loaded_ = true;
    }

    lessonLabel_ = new QLabel(this);
    lessonList_ = new QComboBox(this);
    lessonList_->setObjectName(QStringLiteral("lessonList"));
    lessonList_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    lessonList_->setMinimumContentsLength(16);
    lessonLabel_->setBuddy(lessonList_);
    progress_ = new QLabel(this);
    progress_->setObjectName(QStringLiteral("lessonProgress"));

    text_ = new QTextBrowser(this);
    text_->setObjectName(QStringLiteral("lessonText"));
    text_->setOpenExternalLinks(false);
    QFont big = text_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    text_->setFont(big);
    text_->document()->setDocumentMargin(10);

    predictionBox_ = new QGroupBox(this);
    predictionBox_->setObjectName(QStringLiteral("predictionBox"));
    auto* pl = new QVBoxLayout(predictionBox_);
    question_ = new QLabel(predictionBox_);
    question_->setWordWrap(true);
    question_->setTextFormat(Qt::PlainText);
    QFont qf = question_->font();
    qf.setPointSizeF(qf.pointSizeF() * 1.15);
    qf.setBold(true);
    question_->setFont(qf);
    pl->addWidget(question_);
    choicesHost_ = new QWidget(predictionBox_);
    choicesLayout_ = new QVBoxLayout(choicesHost_);
    choicesLayout_->setContentsMargins(0, 0, 0, 0);
    pl->addWidget(choicesHost_);
    choiceGroup_ = new QButtonGroup(this);
    choiceGroup_->setExclusive(true);
    auto* checkRow = new QHBoxLayout;
    check_ = new QPushButton(predictionBox_);
    check_->setObjectName(QStringLiteral("checkPrediction"));
    checkRow->addWidget(check_);
    checkRow->addStretch(1);
    pl->addLayout(checkRow);
    verdict_ = new QLabel(predictionBox_);
    verdict_->setObjectName(QStringLiteral("predictionVerdict"));
    verdict_->setWordWrap(true);
    verdict_->setTextFormat(Qt::RichText);
    QFont vf = verdict_->font();
    vf.setPointSizeF(vf.pointSizeF() * 1.15);
    verdict_->setFont(vf);
    pl->addWidget(verdict_);

    views_ = new QStackedWidget(this);
    formula_ = new LayerNormFormulaView(views_);
    formula_->setObjectName(QStringLiteral("layerNormFormulaView"));
    axes_ = new NormAxesDiagram(views_);
    axes_->setObjectName(QStringLiteral("normAxesDiagram"));
    views_->addWidget(formula_);
    views_->addWidget(axes_);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("lessonStatus"));
    status_->setWordWrap(true);

    back_ = new QPushButton(this);
    back_->setObjectName(QStringLiteral("previousStep"));
    run_ = new QPushButton(this);
    run_->setObjectName(QStringLiteral("lessonRun"));
    next_ = new QPushButton(this);
    next_->setObjectName(QStringLiteral("nextStep"));
    next_->setDefault(true);

    auto* top = new QHBoxLayout;
    top->addWidget(lessonLabel_);
    top->addWidget(lessonList_, 1);
    top->addWidget(progress_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(back_);
    buttons->addStretch(1);
    buttons->addWidget(run_);
    buttons->addStretch(1);
    buttons->addWidget(next_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(text_, 1);
    layout->addWidget(predictionBox_);
    layout->addWidget(views_, 3);
    layout->addStretch(0);  // takes the room the text leaves when there is no view
    layout->addWidget(status_);
    layout->addLayout(buttons);

    connect(lessonList_, &QComboBox::activated, this, [this](int i) { startLesson(i); });
    connect(choiceGroup_, &QButtonGroup::idClicked, this, [this](int id) { onChoice(id); });
    connect(check_, &QPushButton::clicked, this, [this] { onCheck(); });
    connect(run_, &QPushButton::clicked, this, [this] { onRun(); });
    connect(next_, &QPushButton::clicked, this, [this] { nextStep(); });
    connect(back_, &QPushButton::clicked, this, [this] { previousStep(); });

    retranslate();
    fillLessonList();
    if (loaded_) {
        lessonList_->setCurrentIndex(0);
        enterStep(0);
    } else {
        render();
    }
}

LessonPanel::~LessonPanel() = default;

int LessonPanel::stepCount() const {
    return loaded_ ? static_cast<int>(book_.lessons[static_cast<std::size_t>(lesson_)].steps.size()) : 0;
}

const LessonStep* LessonPanel::current() const {
    if (!loaded_) return nullptr;
    const Lesson& l = book_.lessons[static_cast<std::size_t>(lesson_)];
    return step_ >= 0 && step_ < static_cast<int>(l.steps.size()) ? &l.steps[static_cast<std::size_t>(step_)] : nullptr;
}

LessonPanel::StepState& LessonPanel::state() { return states_[{lesson_, step_}]; }

void LessonPanel::retranslate() {
    lessonLabel_->setText(tr("&Lesson:"));
    lessonList_->setToolTip(tr("Choose a lesson: its experiment is loaded and its first step shown"));
    text_->setToolTip(QString());
    predictionBox_->setTitle(tr("Predict first"));
    predictionBox_->setToolTip(tr("Commit to an answer before you run: guessing wrong and seeing why is how the lesson sticks"));
    check_->setText(tr("Check my prediction"));
    check_->setToolTip(tr("Reveal whether your prediction was right, and why"));
    back_->setText(tr("\u2190 Back"));
    back_->setToolTip(tr("The previous step"));
    run_->setText(tr("\u25b6 Run the experiment"));
    next_->setToolTip(tr("The next step"));
    updateButtons();
    updateStatus();
}

void LessonPanel::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

void LessonPanel::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    fitText();
}

void LessonPanel::fitText() {
    const LessonStep* s = current();
    const bool more = s && (s->prediction || s->view);
    if (!more) {
        text_->setMinimumHeight(0);
        text_->setMaximumHeight(QWIDGETSIZE_MAX);
        return;
    }
    // The document's height at the browser's current width, capped so that the view below
    // keeps most of the panel; a longer text scrolls.
    QTextDocument* doc = text_->document();
    doc->setTextWidth(text_->viewport()->width());
    const int frame = 2 * text_->frameWidth() + 4;
    const int want = static_cast<int>(doc->size().height()) + frame;
    const int cap = std::max(120, height() * (s->view ? 35 : 55) / 100);
    const int h = std::min(want, cap);
    text_->setMinimumHeight(std::min(h, 80));
    text_->setMaximumHeight(h);
}

void LessonPanel::fillLessonList() {
    const int keep = lessonList_->currentIndex();
    lessonList_->clear();
    for (std::size_t i = 0; i < book_.lessons.size(); ++i)
        lessonList_->addItem(QStringLiteral("%1. %2").arg(i + 1).arg(book_.lessons[i].title.in(language_)));
    if (keep >= 0 && keep < lessonList_->count()) lessonList_->setCurrentIndex(keep);
    lessonList_->setEnabled(loaded_);
}

void LessonPanel::setLanguage(const QString& language) {
    language_ = language == QLatin1String("zh") ? QStringLiteral("zh") : QStringLiteral("en");
    fillLessonList();
    lessonList_->setCurrentIndex(lesson_);
    render();
}

void LessonPanel::startLesson(int index) {
    if (!loaded_ || index < 0 || index >= lessonCount()) return;
    lesson_ = index;
    lessonList_->setCurrentIndex(index);
    const Lesson& l = book_.lessons[static_cast<std::size_t>(index)];
    lessonRunNames_.clear();
    experimentError_.clear();
    try {
        const ns::Experiment e = ns::load_experiment_file(l.experimentPath.toStdString());
        for (const ns::RunSpec& r : e.runs) lessonRunNames_.push_back(QString::fromStdString(r.name));
    } catch (const std::exception& ex) {
        experimentError_ = QString::fromStdString(ex.what());
    }
    enterStep(0);
    Q_EMIT experimentRequested(l.experimentPath);
}

void LessonPanel::nextStep() {
    if (!loaded_) return;
    if (step_ + 1 < stepCount()) enterStep(step_ + 1);
    else if (lesson_ + 1 < lessonCount()) startLesson(lesson_ + 1);
}

void LessonPanel::previousStep() {
    if (loaded_ && step_ > 0) enterStep(step_ - 1);
}

void LessonPanel::enterStep(int step) {
    step_ = std::clamp(step, 0, std::max(0, stepCount() - 1));
    showEmitted_ = false;
    // The view starts where the step says; afterwards the student may look elsewhere.
    if (const LessonStep* s = current(); s && s->view) {
        const LessonView& v = *s->view;
        if (v.kind == QLatin1String("formula")) {
            formula_->setSnapshot(snap_);
            formula_->setSelection(v.run, v.site, v.layer, v.step);
            formula_->setPosition(v.position);
        } else {
            axes_->setKindName(v.norm);
        }
    }
    render();
    const LessonStep* s = current();
    if (s && s->show && (!s->prediction || state().revealed)) revealShow();
}

void LessonPanel::revealShow() {
    const LessonStep* s = current();
    if (!s || !s->show || showEmitted_) return;
    showEmitted_ = true;
    Q_EMIT showRequested(s->show->tab, s->show->site, s->show->layer, s->show->step);
}

void LessonPanel::render() {
    const LessonStep* s = current();
    if (!s) {
        text_->setHtml(loaded_ ? QString() : QStringLiteral("<p><b>%1</b></p><p>%2</p>")
                                                 .arg(tr("The lessons could not be read.").toHtmlEscaped(), loadError_.toHtmlEscaped()));
        predictionBox_->hide();
        views_->hide();
        updateButtons();
        return;
    }
    const StepState& st = state();
    const LessonWords& w = words(language_);
    const bool revealed = !s->prediction || st.revealed;
    QString html = toHtml(s->text.in(language_));
    if (!revealed && (s->show || s->view)) html += QStringLiteral("<p><i>%1</i></p>").arg(QString::fromUtf8(w.predictFirst).toHtmlEscaped());
    if (!s->look.en.isEmpty() && revealed)
        html += QStringLiteral("<hr><p><b>%1</b> %2</p>")
                    .arg(QString::fromUtf8(w.look).toHtmlEscaped(), s->look.in(language_).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    text_->setHtml(html);
    fitText();

    if (s->prediction) {
        predictionBox_->show();
        question_->setText(s->prediction->question.in(language_));
        buildChoices(*s);
        if (st.checked) {
            const LessonPrediction& p = *s->prediction;
            const bool right = st.choice == p.answer;
            const QColor c = right ? QColor(0, 158, 115) : QColor(213, 94, 0);
            const QString head = right ? QString::fromUtf8(w.right)
                                       : QString::fromUtf8(w.wrong).arg(p.choices[static_cast<std::size_t>(p.answer)].in(language_));
            verdict_->setText(QStringLiteral("<b><span style=\"color:%1\">%2 %3</span></b><br>%4")
                                  .arg(c.name(), right ? QStringLiteral("\u2714") : QStringLiteral("\u2718"), head.toHtmlEscaped(),
                                       p.explanation.in(language_).toHtmlEscaped()));
            verdict_->show();
        } else {
            verdict_->clear();
            verdict_->hide();
        }
    } else {
        predictionBox_->hide();
    }

    if (s->view && revealed) {
        views_->setCurrentWidget(s->view->kind == QLatin1String("formula") ? static_cast<QWidget*>(formula_)
                                                                           : static_cast<QWidget*>(axes_));
        if (views_->currentWidget() == formula_) formula_->setSnapshot(snap_);
        views_->show();
    } else {
        views_->hide();
    }
    updateButtons();
    updateStatus();
}

void LessonPanel::buildChoices(const LessonStep& s) {
    for (QAbstractButton* b : choiceGroup_->buttons()) choiceGroup_->removeButton(b);
    // Off the panel at once (so that findChild and the layout see only the new choices), freed
    // later (a choice's own signal may be on the stack).
    while (QLayoutItem* item = choicesLayout_->takeAt(0)) {
        if (QWidget* w = item->widget()) {
            w->hide();
            w->setParent(nullptr);
            w->deleteLater();
        }
        delete item;
    }
    const StepState& st = state();
    const auto& choices = s.prediction->choices;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        auto* row = new QWidget(choicesHost_);
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        auto* button = new QRadioButton(row);
        button->setObjectName(QStringLiteral("predictionChoice:%1").arg(i));
        const QString text = choices[i].in(language_);
        button->setAccessibleName(text);
        button->setToolTip(tr("Pick this answer"));
        auto* label = new ChoiceLabel(button, row);
        // Once checked, the right answer is marked, and a wrong pick too.
        QString shown = text;
        if (st.checked && static_cast<int>(i) == s.prediction->answer) shown += QStringLiteral("  \u2714");
        else if (st.checked && static_cast<int>(i) == st.choice) shown += QStringLiteral("  \u2718");
        label->setText(shown);
        QFont lf = label->font();
        lf.setPointSizeF(lf.pointSizeF() * 1.15);
        lf.setBold(st.checked && static_cast<int>(i) == s.prediction->answer);
        label->setFont(lf);
        label->setObjectName(QStringLiteral("predictionChoiceText:%1").arg(i));
        h->addWidget(button, 0, Qt::AlignTop);
        h->addWidget(label, 1);
        choiceGroup_->addButton(button, static_cast<int>(i));
        button->setChecked(st.choice == static_cast<int>(i));
        // Once checked, the prediction stands: it can no longer be changed.
        button->setEnabled(!st.checked);
        choicesLayout_->addWidget(row);
        row->show();  // now, not on the next event loop turn: the step is on screen at once
    }
}

void LessonPanel::onChoice(int index) {
    const LessonStep* s = current();
    if (!s || !s->prediction || state().checked) return;
    state().choice = index;
    updateButtons();
}

void LessonPanel::onCheck() {
    const LessonStep* s = current();
    if (!s || !s->prediction || state().choice < 0) return;
    state().checked = true;
    state().revealed = true;
    revealShow();
    render();
}

void LessonPanel::onRun() {
    const LessonStep* s = current();
    if (!s || !s->run) return;
    if (s->prediction && state().choice < 0) return;
    state().revealed = true;
    Q_EMIT runRequested();
    revealShow();
    render();
}

void LessonPanel::updateButtons() {
    const LessonStep* s = current();
    const bool have = s != nullptr;
    back_->setEnabled(have && step_ > 0);
    const bool last = have && step_ + 1 >= stepCount();
    next_->setText(last ? tr("Next lesson \u2192") : tr("Next \u2192"));
    next_->setEnabled(have && (!last || lesson_ + 1 < lessonCount()));
    progress_->setText(have ? tr("Step %1 of %2").arg(step_ + 1).arg(stepCount()) : QString());
    const bool runs = have && s->run;
    run_->setVisible(runs);
    const bool predicted = have && (!s->prediction || state().choice >= 0);
    run_->setEnabled(runs && predicted);
    run_->setToolTip(runs && !predicted ? tr("Pick a prediction first") : tr("Train this lesson's experiment"));
    const bool canCheck = have && s->prediction && state().choice >= 0 && !state().checked;
    check_->setEnabled(canCheck);
    check_->setVisible(!(have && s->prediction && state().checked));
}

void LessonPanel::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    if (views_->isVisible() && views_->currentWidget() == formula_) formula_->setSnapshot(s);
    updateStatus();
}

void LessonPanel::updateStatus() {
    if (!experimentError_.isEmpty()) {
        status_->setText(tr("This lesson's experiment cannot be read: %1").arg(experimentError_));
        return;
    }
    bool ours = snap_ && !lessonRunNames_.empty() && snap_->runs.size() == lessonRunNames_.size();
    for (std::size_t i = 0; ours && i < lessonRunNames_.size(); ++i) ours = snap_->runs[i].name == lessonRunNames_[i];
    if (!ours || snap_->total_steps <= 0) {
        status_->clear();
        status_->hide();
        return;
    }
    status_->show();
    if (snap_->step <= 0) status_->setText(tr("The lesson's experiment is loaded; nothing trained yet."));
    else if (snap_->step < snap_->total_steps) status_->setText(tr("Training: step %1 of %2").arg(snap_->step).arg(snap_->total_steps));
    else status_->setText(tr("Trained: all %1 steps done.").arg(snap_->total_steps));
}

}  // namespace nsui
