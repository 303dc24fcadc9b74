// normscope-screenshots: opens the real window on an experiment, trains it to the end and saves
// a picture of every chart tab, for the README (run under Xvfb or any display; not a test).
//
//   build/bin/normscope-screenshots EXPERIMENT.json OUT_DIR [PREFIX]
//   (environment: NS_SHOT_AFTER_MS, NS_SHOT_LESSON, NS_SHOT_LESSON_STEPS, NS_SHOT_LANGUAGE, NS_SHOT_PRESENT)
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QThread>

#include <cstdio>

#include "ui/lessonpanel.h"
#include "ui/mainwindow.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("NormScopeScreenshots");
    QApplication::setApplicationName("normscope-screenshots");
    if (argc < 3) {
        std::fprintf(stderr, "usage: normscope-screenshots EXPERIMENT.json OUT_DIR [PREFIX]\n");
        return 2;
    }
    const QString out = QString::fromLocal8Bit(argv[2]);
    const QString prefix = argc > 3 ? QString::fromLocal8Bit(argv[3]) : QString("shot");
    QDir().mkpath(out);
    nsui::MainWindow w(ns::default_experiment());
    w.resize(1600, 1000);
    w.show();
    if (!w.openFile(QString::fromLocal8Bit(argv[1]))) return 2;
    // NS_SHOT_LESSON=k: start lesson k (it opens its own experiment) with the lessons in front.
    const QString lesson = qEnvironmentVariable("NS_SHOT_LESSON");
    if (!lesson.isEmpty()) {
        if (!qEnvironmentVariable("NS_SHOT_LANGUAGE").isEmpty()) w.setLanguage(qEnvironmentVariable("NS_SHOT_LANGUAGE"));
        w.lessonPanel()->startLesson(lesson.toInt());
        if (auto* dock = w.findChild<QDockWidget*>("lessonDock")) dock->raise();
        const int steps = qEnvironmentVariableIntValue("NS_SHOT_LESSON_STEPS");
        for (int i = 0; i < steps; ++i) w.lessonPanel()->nextStep();
    }
    w.controller().run();
    QElapsedTimer t;
    t.start();
    // NS_SHOT_AFTER_MS=N: the pictures N ms after Run, training or not (the models may still be
    // being built); otherwise once training has finished.
    const int after = qEnvironmentVariableIsSet("NS_SHOT_AFTER_MS") ? qEnvironmentVariableIntValue("NS_SHOT_AFTER_MS") : -1;
    while ((after < 0 ? w.controller().state() != nsui::TrainingController::State::Finished : t.elapsed() < after) &&
           t.elapsed() < 600000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    w.redrawNow();
    // NS_SHOT_LANGUAGE=zh_CN and NS_SHOT_PRESENT=1 take the pictures in Chinese or presenting.
    if (!qEnvironmentVariable("NS_SHOT_LANGUAGE").isEmpty() && lesson.isEmpty())
        w.setLanguage(qEnvironmentVariable("NS_SHOT_LANGUAGE"));
    if (qEnvironmentVariable("NS_SHOT_PRESENT") == "1") w.setPresentationMode(true);
    const char* names[] = {"curves", "normstats", "gradnorms", "heatmaps"};
    for (int i = 0; i < w.tabs()->count(); ++i) {
        w.tabs()->setCurrentIndex(i);
        // The heatmaps of the last run: in the built-in experiment, Pre-LN's growing residual stream.
        if (auto* run = w.tabs()->widget(i)->findChild<QComboBox*>("heatRun")) run->setCurrentIndex(run->count() - 1);
        for (int k = 0; k < 20; ++k) {
            QCoreApplication::processEvents();
            QThread::msleep(10);
        }
        const QString path = out + "/" + prefix + "-" + names[i] + ".png";
        w.grab().save(path);
        std::printf("%s\n", qPrintable(path));
    }
    return 0;
}
