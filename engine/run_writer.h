// Writes a training run's files (SPEC section 4) as results arrive: metrics.csv, norm_stats.csv,
// grad_norms.csv, residual.csv and eval_gap.csv per run, the final weights.safetensors and
// DIR/experiment.json.
//
// Nothing is lost and nothing is half-written: rows are kept in memory and every file is
// replaced whole, through a temporary file and a rename, at a checkpoint every few seconds
// (and at the end). A process killed mid-run leaves complete CSV files up to the last checkpoint.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/trainer.h"

namespace ns {

class Session;

class RunWriter : public TrainerSink {
public:
    // Creates DIR and one folder per run, writes experiment.json and the CSV headers.
    // Throws OutputError.
    RunWriter(const Experiment& e, const std::string& out_dir, double checkpoint_seconds = 5.0);
    ~RunWriter() override;

    void on_metrics(int run, const StepMetrics& m) override;
    void on_probe(int run, const ProbeSnapshot& p) override;
    void on_diverged(int run, long step, const std::string& cause) override;
    // Checkpoints when the interval has passed since the last one.
    void on_step_done(long step) override;
    // Writes every file that changed since the last checkpoint; tells `session` (if any).
    void checkpoint();
    // A checkpoint, then every run's final weights.safetensors.
    void finish(const Trainer& t);
    std::string run_dir(int run) const;
    // Told after each checkpoint (the step saved), so that a restore knows how far it got.
    void set_session(Session* s, long total_steps) { session_ = s; total_steps_ = total_steps; }

    static std::string metrics_row(const StepMetrics& m);
    static std::string eval_gap_row(const StepMetrics& m);

private:
    struct Files;
    std::string out_dir_;
    std::vector<std::unique_ptr<Files>> files_;
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point last_checkpoint_;
    long step_ = 0;
    Session* session_ = nullptr;
    long total_steps_ = 0;
};

}  // namespace ns
