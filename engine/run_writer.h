// Writes a training run's files (SPEC section 4) as results arrive: metrics.csv, norm_stats.csv,
// grad_norms.csv and residual.csv per run, each row complete when written; the final
// weights.safetensors and DIR/experiment.json.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/trainer.h"

namespace ns {

class RunWriter : public TrainerSink {
public:
    // Creates DIR and one folder per run, writes experiment.json and the CSV headers.
    // Throws OutputError.
    RunWriter(const Experiment& e, const std::string& out_dir);
    ~RunWriter() override;

    void on_metrics(int run, const StepMetrics& m) override;
    void on_probe(int run, const ProbeSnapshot& p) override;
    void on_diverged(int run, long step, const std::string& cause) override;
    // Writes every run's final weights.safetensors and flushes.
    void finish(const Trainer& t);
    std::string run_dir(int run) const;

    static std::string metrics_row(const StepMetrics& m);
    static std::string eval_gap_row(const StepMetrics& m);

private:
    struct Files;
    std::string out_dir_;
    std::vector<std::unique_ptr<Files>> files_;
};

}  // namespace ns
