// The training tasks of SPEC section 2: seeded batch generators. A batch depends only on the
// seed, the task settings and its index, so every run of an experiment sees the very same data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/config.h"

namespace ns {

struct Batch {
    int batch = 0, seq_len = 0;
    std::vector<std::int32_t> ids;      // (B, T)
    std::vector<std::int32_t> targets;  // (B, T), -100 = ignored
};

// Checks what the runs read besides the experiment file (the text task's text_file): throws
// ConfigError with the field "runs[i].train.text_file" and the reason.
void check_run_data(const Experiment& e);
// load_experiment_file, then check_run_data; the error names the experiment file.
Experiment load_experiment_checked(const std::string& path);

class TaskData {
public:
    // Throws ConfigError (field "train.text_file" and the like) when the data cannot be made.
    static std::unique_ptr<TaskData> create(const ModelConfig& m, const TrainConfig& t, const std::string& source_dir);
    virtual ~TaskData() = default;

    // Training batch number k (0 is the first), from (seed, k) alone; fill_ reuses b's storage.
    virtual void fill_train_batch(std::uint64_t k, Batch& b) const = 0;
    Batch train_batch(std::uint64_t k) const {
        Batch b;
        fill_train_batch(k, b);
        return b;
    }
    // The fixed validation set: val_batches batches drawn from a stream the training never uses.
    virtual Batch val_batch(int i) const = 0;
    int val_batches() const { return val_batches_; }

protected:
    int batch_ = 0, seq_len_ = 0, vocab_ = 0, val_batches_ = 0;
    std::uint64_t seed_ = 0;
};

}  // namespace ns
