// Trains the runs of one experiment in lockstep: same seed, same initial weights where shapes
// agree, the very same batches. Runs train concurrently in one task arena; a run whose loss or
// gradient stops being finite is recorded as diverged and the others go on.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/model.h"
#include "engine/optimizer.h"
#include "engine/parallel.h"
#include "engine/report.h"
#include "engine/tasks.h"

namespace ns {

struct StepMetrics {
    long step = 0;  // 1 = the first update
    double lr = 0;  // the learning rate actually applied
    double train_loss = 0, train_acc = 0;
    bool has_val = false;
    double val_loss = 0, val_acc = 0;
    // The same validation set with batch statistics (training mode) instead of BatchNorm's
    // running statistics: the evaluation-mode gap. Equal to val_* when no norm is batchnorm.
    double val_loss_batch_stats = 0, val_acc_batch_stats = 0;
    double grad_norm = 0;  // global, before clipping
    bool diverged = false;
};

// What a probe saw: `step` counts the updates applied before the forward pass (0 = at
// initialisation), so a probe at step s shows the weights after s updates.
struct ProbeSnapshot {
    long step = 0;
    ModelProbes probes;
    std::vector<TensorNorms> norms;
};

struct RunStatus {
    long step = 0;
    bool diverged = false;
    long diverged_step = 0;
    std::string cause;  // why it diverged, in words
};

// Receives results on the thread that called step() or run(), in run order, after each step.
class TrainerSink {
public:
    virtual ~TrainerSink() = default;
    virtual void on_metrics(int run, const StepMetrics& m) = 0;
    virtual void on_probe(int run, const ProbeSnapshot& p) = 0;
    virtual void on_diverged(int run, long step, const std::string& cause) = 0;
    // After every step of every live run has been reported.
    virtual void on_step_done(long /*step*/) {}
};

// Thrown by Trainer's constructor when the caller abandoned the build.
struct BuildAbandoned : std::runtime_error {
    BuildAbandoned() : std::runtime_error("building the models was abandoned") {}
};

class Trainer {
public:
    // Builds every run's model, data and optimizer. Throws ConfigError when a run's data cannot
    // be made (for example a missing text file): the field is prefixed with "runs[i].".
    // Building several large models takes a while (config M: about 0.6 s each, mostly the
    // kernel mapping fresh memory); when `abandon` becomes true the build stops between runs
    // and throws BuildAbandoned.
    Trainer(const Experiment& e, int threads, const std::atomic<bool>* abandon = nullptr);
    ~Trainer();

    const Experiment& experiment() const { return exp_; }
    int num_runs() const { return static_cast<int>(runs_.size()); }
    long total_steps() const { return total_steps_; }
    void set_total_steps(long steps);  // before training: --steps overrides every run
    long current_step() const { return step_; }
    bool finished() const;  // every run reached its last step or diverged
    RunStatus status(int run) const;
    const Model<float>& model(int run) const;
    void set_sink(TrainerSink* sink) { sink_ = sink; }

    // One step of every live run, concurrently. Returns false if there was nothing to do or the
    // step was cancelled before its update (then nothing has changed: step() again repeats it).
    bool step();
    // Steps until finished or cancelled; honours pause() and request_step() while paused.
    // Returns true if it ran to the end.
    bool run();
    void pause();
    void resume();
    void request_step();  // while paused: one more step
    void cancel();        // run() returns within one block's work (mid-step, before the update)
    void clear_cancel();  // before run() is called again to continue
    bool paused() const { return paused_.load(); }
    // True while run() is held by pause() between steps (no step in flight).
    bool held() const { return held_.load(); }
    bool cancelled() const { return cancel_.load(); }
    // Back to the initial weights and step 0 (not while run() is running).
    void reset();
    // Initial weights from a file instead of the seed, for every run (see load_weights); then
    // reset(). Throws SafetensorsError naming `file`, the run and the tensor.
    void set_initial_weights(const std::vector<Tensor>& tensors, const std::string& file);

private:
    struct Run;
    struct Events;
    void step_run(Run& r, Events& ev);
    void update_run(Run& r, Events& ev);
    void evaluate(Run& r, Mode mode, double* loss, double* acc);
    void probe_final(Run& r, Events& ev);

    Experiment exp_;
    Parallel par_;
    std::vector<std::unique_ptr<Run>> runs_;
    std::vector<Run*> live_;
    std::unique_ptr<std::vector<Events>> events_;
    std::vector<Tensor> init_tensors_;
    std::string init_file_;
    std::atomic<long> step_{0};  // read by other threads (progress, tests)
    long total_steps_ = 0;
    TrainerSink* sink_ = nullptr;
    std::atomic<bool> paused_{false}, cancel_{false}, held_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    int step_requests_ = 0;
};

}  // namespace ns
