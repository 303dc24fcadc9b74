// Reads back what `normscope train` and `probe` wrote (SPEC section 4): the resolved experiment
// and, per run, the metrics and the probes, as the trainer reported them. Used by
// `normscope render` and to reopen results. The per-sample norm statistics are not in the files,
// so a probe read back holds one "sample": the batch mean.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/trainer.h"

namespace ns {

struct RunResult {
    std::string name, folder;
    std::vector<StepMetrics> metrics;
    std::vector<std::shared_ptr<const ProbeSnapshot>> probes;  // by step
    RunStatus status;
};

struct Results {
    Experiment experiment;
    std::vector<RunResult> runs;
};

// Throws ConfigError (bad experiment.json) or OutputError-like std::runtime_error naming the file
// and line of a malformed CSV.
Results read_results(const std::string& dir);

// The four SPEC CSV files of one run, as `normscope train` writes them, from reported results
// (used by "Export all" so that a bundle's CSV equals a headless run's byte for byte).
std::string metrics_csv(const std::vector<StepMetrics>& m);
std::string eval_gap_csv(const std::vector<StepMetrics>& m);
std::string norm_stats_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p);
std::string grad_norms_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p);
std::string residual_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p);

}  // namespace ns
