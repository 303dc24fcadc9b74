#include "ui/render.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>

#include <stdexcept>

#include "engine/results.h"
#include "ui/curveschart.h"
#include "ui/gradnormchart.h"
#include "ui/heatmap.h"
#include "ui/normstatschart.h"

namespace nsui {

SnapshotPtr snapshotFromResults(const QString& dir, ns::Experiment* experiment) {
    const ns::Results res = ns::read_results(dir.toStdString());
    auto s = std::make_shared<Snapshot>();
    for (std::size_t i = 0; i < res.runs.size(); ++i) {
        RunSeries r;
        r.name = QString::fromStdString(res.runs[i].name);
        r.color = runColor(static_cast<int>(i));
        r.model = res.experiment.runs[i].model;
        r.train = res.experiment.runs[i].train;
        r.metrics = res.runs[i].metrics;
        r.probes = res.runs[i].probes;
        r.status = res.runs[i].status;
        if (r.status.step == 0 && !r.probes.empty()) r.status.step = r.probes.back()->step;
        s->step = std::max(s->step, r.status.step);
        s->total_steps = std::max<long>(s->total_steps, r.train.steps);
        s->runs.push_back(std::move(r));
    }
    s->version = 1;
    if (experiment) *experiment = res.experiment;
    return s;
}

QStringList renderResults(const QString& dir, const QString& out, const QList<ImageFormat>& formats, double pngScale) {
    ns::Experiment e;
    const SnapshotPtr s = snapshotFromResults(dir, &e);
    if (!QDir().mkpath(out)) throw std::runtime_error(out.toStdString() + ": the folder cannot be created");
    TrainingCurvesChart curves;
    NormStatsChart normStats;
    GradNormChart gradNorms;
    NormHeatmapPanel heatmaps;
    const QList<QPair<QString, QWidget*>> charts = {
        {"curves", &curves}, {"normstats", &normStats}, {"gradnorms", &gradNorms}, {"heatmaps", &heatmaps}};
    QStringList written;
    auto settle = [] {
        for (int i = 0; i < 3; ++i) {
            QCoreApplication::sendPostedEvents();
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);  // axes replaced by a toggle
            QCoreApplication::processEvents();
        }
    };
    auto draw = [&](QWidget* w, const QString& name) {
        for (ImageFormat f : formats) {
            const char* suffix = f == ImageFormat::Png ? "png" : (f == ImageFormat::Svg ? "svg" : "pdf");
            const QString path = QDir(out).filePath(QString("%1.%2").arg(name, suffix));
            QString error;
            if (!exportWidget(w, path, f, pngScale, &error)) throw std::runtime_error(error.toStdString());
            written << path;
        }
    };
    for (const auto& [name, w] : charts) {
        w->resize(1400, 900);
        w->setAttribute(Qt::WA_DontShowOnScreen);
        w->show();
        settle();
        // Twice: the second time the laid-out charts place their legends and labels.
        for (int k = 0; k < 2; ++k) {
            if (name == "curves") curves.setSnapshot(s);
            else if (name == "normstats") normStats.setSnapshot(s);
            else if (name == "gradnorms") gradNorms.setSnapshot(s);
            else heatmaps.setSnapshot(s);
            settle();
        }
        if (name == "gradnorms") {
            // Gradient norms span decades between runs: log scale, latest step and at initialisation.
            if (auto* log = gradNorms.findChild<QAbstractButton*>("gradLog")) log->setChecked(true);
            settle();
            draw(w, name);
            if (auto* init = gradNorms.findChild<QAbstractButton*>("gradAtInit")) {
                init->click();
                settle();
                draw(w, name + "-init");
            }
            continue;
        }
        if (name == "heatmaps") {
            // One picture per run (the first also as heatmaps.*).
            auto* run = heatmaps.findChild<QComboBox*>("heatRun");
            draw(w, name);
            for (int i = 0; run && i < run->count(); ++i) {
                run->setCurrentIndex(i);
                settle();
                draw(w, name + "-" + QString::fromStdString(ns::file_safe_name(run->itemText(i).toStdString())));
            }
            continue;
        }
        draw(w, name);
    }
    return written;
}

}  // namespace nsui
