// The guided lessons as data: a lesson book read from resources/lessons/lessons.json (format
// "normscope-lessons", version 1; the file documents itself under its "about" key). A lesson
// names one experiment file and walks through steps of bilingual text, each optionally with a
// prediction to make before running, a run of the experiment, a chart to put on screen and a
// special view to show inside the lesson panel.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace nsui {

// One piece of text in English and Simplified Chinese.
struct LessonText {
    QString en, zh;
    // The text in `language` ("en" or "zh"), falling back to English.
    QString in(const QString& language) const;
};

// A question the student answers before running: choices, the index of the right one, and why.
struct LessonPrediction {
    LessonText question;
    std::vector<LessonText> choices;
    int answer = 0;
    LessonText explanation;
};

// What the window should put on screen: a chart tab and what it shows.
struct LessonShow {
    QString tab;     // "curves" | "normstats" | "gradnorms" | "heatmaps"
    QString site;    // a norm site (SPEC section 4) or empty
    int layer = -1;  // -1 outside the stack (or not relevant)
    QString step;    // "init" | "latest"
};

// A special view shown inside the lesson panel.
struct LessonView {
    QString kind;                // "formula" (LayerNormFormulaView) | "axes" (NormAxesDiagram)
    int run = 0;                 // formula: which run of the experiment
    QString site = QStringLiteral("norm1");
    int layer = 0;
    int position = 0;
    QString step = QStringLiteral("latest");     // "init" | "latest"
    QString norm = QStringLiteral("layernorm");  // axes: "layernorm" | "batchnorm" | "rmsnorm"
};

struct LessonStep {
    LessonText text;
    std::optional<LessonPrediction> prediction;
    bool run = false;
    std::optional<LessonShow> show;
    LessonText look;  // what to look at once the chart is on screen (may be empty)
    std::optional<LessonView> view;
};

struct Lesson {
    QString id;
    LessonText title;
    QString experiment;      // file name as written, in resources/experiments/
    QString experimentPath;  // absolute path
    std::vector<LessonStep> steps;
};

struct LessonBook {
    std::vector<Lesson> lessons;
};

// Parses and validates a lesson book. Every text must have both languages; unknown keys, a
// prediction answer out of range, an unknown tab, site, step or view kind are refused with
// `error` naming the field ("lessons[2].steps[3].prediction.answer: ...").
// `experimentsDir` is the folder the experiment file names are resolved against.
std::optional<LessonBook> parseLessonBook(const QByteArray& json, const QString& experimentsDir, QString* error);

// Reads `path` (a lessons.json); experiment names resolve against ../experiments/ beside it.
std::optional<LessonBook> loadLessonBook(const QString& path, QString* error);

}  // namespace nsui
