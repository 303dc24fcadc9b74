#include "engine/tasks.h"

#include <algorithm>

#include "engine/rng.h"

namespace ns {

namespace {

constexpr std::uint64_t kTrainStream = 0x747261696e;  // "train"
constexpr std::uint64_t kValStream = 0x76616c;        // "val"

// reverse, sort, copy, histogram: each sequence is seq_len tokens uniform in [0, vocab).
class SyntheticTask : public TaskData {
public:
    SyntheticTask(Task task, const ModelConfig& m, const TrainConfig& t) : task_(task) {
        batch_ = t.batch;
        seq_len_ = t.seq_len;
        vocab_ = m.vocab;
        val_batches_ = t.val_batches;
        seed_ = t.seed;
    }
    void fill_train_batch(std::uint64_t k, Batch& b) const override { make(hash_keys(seed_, kTrainStream, k), b); }
    Batch val_batch(int i) const override {
        Batch b;
        make(hash_keys(seed_, kValStream, static_cast<std::uint64_t>(i)), b);
        return b;
    }

private:
    void make(std::uint64_t key, Batch& b) const {
        b.batch = batch_;
        b.seq_len = seq_len_;
        const std::size_t n = static_cast<std::size_t>(batch_) * seq_len_;
        b.ids.resize(n);
        b.targets.resize(n);
        Rng rng(key);
        for (int s = 0; s < batch_; ++s) {
            std::int32_t* x = b.ids.data() + static_cast<std::size_t>(s) * seq_len_;
            std::int32_t* y = b.targets.data() + static_cast<std::size_t>(s) * seq_len_;
            for (int t = 0; t < seq_len_; ++t) x[t] = static_cast<std::int32_t>(rng.below(vocab_));
            switch (task_) {
            case Task::Reverse:
                for (int t = 0; t < seq_len_; ++t) y[t] = x[seq_len_ - 1 - t];
                break;
            case Task::Sort:
                std::copy(x, x + seq_len_, y);
                std::sort(y, y + seq_len_);
                break;
            case Task::Copy:
                std::copy(x, x + seq_len_, y);
                break;
            case Task::Histogram:
                for (int t = 0; t < seq_len_; ++t)
                    y[t] = static_cast<std::int32_t>(std::count(x, x + seq_len_, x[t]));
                break;
            case Task::Text:
                break;
            }
        }
    }
    Task task_;
};

}  // namespace

std::unique_ptr<TaskData> make_text_task(const ModelConfig& m, const TrainConfig& t, const std::string& source_dir);

std::unique_ptr<TaskData> TaskData::create(const ModelConfig& m, const TrainConfig& t, const std::string& source_dir) {
    if (t.task == Task::Text) return make_text_task(m, t, source_dir);
    return std::make_unique<SyntheticTask>(t.task, m, t);
}

}  // namespace ns

namespace ns {

void check_run_data(const Experiment& e) {
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        if (e.runs[i].train.task != Task::Text) continue;  // the other tasks read nothing
        try {
            TaskData::create(e.runs[i].model, e.runs[i].train, e.source_dir);
        } catch (const ConfigError& err) {
            throw ConfigError("runs[" + std::to_string(i) + "]." + err.field(), err.reason());
        }
    }
}

Experiment load_experiment_checked(const std::string& path) {
    Experiment e = load_experiment_file(path);
    try {
        check_run_data(e);
    } catch (const ConfigError& err) {
        throw ConfigError(path, err.field(), err.reason());
    }
    return e;
}

}  // namespace ns
