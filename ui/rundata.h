// What the charts show: an immutable snapshot of every run's results so far. The training
// worker appends to a RunStore under a mutex; the window takes a snapshot on its redraw timer
// and hands the same shared snapshot to every chart. Probe snapshots are shared, not copied.
#pragma once

#include <QColor>
#include <QString>

#include <memory>
#include <mutex>
#include <vector>

#include "engine/config.h"
#include "engine/trainer.h"

namespace nsui {

struct RunSeries {
    QString name;
    QColor color;                    // the run's colour in every chart
    ns::ModelConfig model;           // resolved settings of the run
    ns::TrainConfig train;
    std::vector<ns::StepMetrics> metrics;                        // one per step, step 1..
    std::vector<std::shared_ptr<const ns::ProbeSnapshot>> probes;  // ordered by step (0 = initialisation)
    ns::RunStatus status;            // step reached; diverged, at which step and why
    // The probe taken at `step`, or null.
    const ns::ProbeSnapshot* probeAt(long step) const;
};

struct Snapshot {
    std::shared_ptr<const ns::Experiment> experiment;  // what the runs were built from
    std::vector<RunSeries> runs;
    long step = 0;         // steps done (lockstep)
    long total_steps = 0;
    quint64 version = 0;   // grows with every change
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

// One colour per run, the same in every chart: the Okabe-Ito palette, safe for colour blindness
// and readable on light and dark backgrounds.
QColor runColor(int index);

// Thread-safe accumulation of results (the worker writes, the window reads snapshots).
class RunStore : public ns::TrainerSink {
public:
    void reset(const ns::Experiment& e, long total_steps);
    void on_metrics(int run, const ns::StepMetrics& m) override;
    void on_probe(int run, const ns::ProbeSnapshot& p) override;
    void on_diverged(int run, long step, const std::string& cause) override;
    void set_progress(long step, const std::vector<ns::RunStatus>& status);
    SnapshotPtr snapshot() const;  // cheap: copies metrics, shares probes
    quint64 version() const;

private:
    mutable std::mutex mu_;
    Snapshot data_;
};

}  // namespace nsui
