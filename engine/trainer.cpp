#include "engine/trainer.h"

#include <algorithm>
#include <cmath>

namespace ns {

struct Trainer::Run {
    int index = 0;  // in the experiment's runs
    RunSpec spec;
    std::unique_ptr<TaskData> data;
    std::unique_ptr<Model<float>> model;
    std::unique_ptr<OptimizerState<float>> opt;
    std::vector<Batch> val;  // the fixed validation set
    std::vector<float> saved_buffers;  // BatchNorm statistics before the step, for a cancelled step
    Batch batch;                       // this step's batch (storage reused from step to step)
    std::vector<double> norm_partials;  // the gradient norm's tile sums
    RunStatus status;
    bool done = false;
};

struct Trainer::Events {
    bool has_metrics = false;
    StepMetrics metrics;
    std::vector<ProbeSnapshot> probes;
    bool diverged = false;
    std::string cause;
    bool update = false;  // forward and backward done, the update is due
    void clear() {  // keeps the storage
        has_metrics = diverged = update = false;
        metrics = StepMetrics{};
        probes.clear();
        cause.clear();
    }
};

Trainer::Trainer(const Experiment& e, int threads, const std::atomic<bool>* abandon)
    : exp_(e), par_(threads), events_(std::make_unique<std::vector<Events>>()) {
    auto check = [abandon] {
        if (abandon && abandon->load()) throw BuildAbandoned();
    };
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        check();
        auto r = std::make_unique<Run>();
        r->index = static_cast<int>(i);
        r->spec = e.runs[i];
        try {
            r->data = TaskData::create(r->spec.model, r->spec.train, e.source_dir);
        } catch (const ConfigError& err) {
            throw ConfigError("runs[" + std::to_string(i) + "]." + err.field(), err.reason());
        }
        // Initialised with the run's seed here, as reset() would.
        r->model = std::make_unique<Model<float>>(r->spec.model, par_, r->spec.train.seed);
        check();
        r->opt = std::make_unique<OptimizerState<float>>(r->spec.train, r->model->num_params());
        r->norm_partials.assign(sum_squares_partials(r->model->num_params()), 0.0);
        for (int k = 0; k < r->data->val_batches(); ++k) r->val.push_back(r->data->val_batch(k));
        r->done = r->spec.train.steps <= 0;
        total_steps_ = std::max<long>(total_steps_, r->spec.train.steps);
        runs_.push_back(std::move(r));
    }
}

Trainer::~Trainer() = default;

void Trainer::set_total_steps(long steps) {
    total_steps_ = steps;
    for (auto& r : runs_) r->spec.train.steps = static_cast<int>(steps);
    exp_.train.steps = static_cast<int>(steps);
    for (auto& r : exp_.runs) r.train.steps = static_cast<int>(steps);
}

void Trainer::reset() {
    step_ = 0;
    for (auto& r : runs_) {
        r->model->init(r->spec.train.seed);
        if (!init_tensors_.empty())
            load_weights(*r->model, init_tensors_, init_file_ + ": runs[" + std::to_string(r->index) + "] (" + r->spec.name + ")");
        r->opt->reset();
        r->status = RunStatus{};
        r->done = r->spec.train.steps <= 0;
    }
    cancel_ = false;
}

void Trainer::set_initial_weights(const std::vector<Tensor>& tensors, const std::string& file) {
    for (auto& r : runs_)  // refuse before changing anything
        load_weights(*r->model, tensors, file + ": runs[" + std::to_string(r->index) + "] (" + r->spec.name + ")");
    init_tensors_ = tensors;
    init_file_ = file;
    reset();
}

bool Trainer::finished() const {
    for (const auto& r : runs_)
        if (!r->done) return false;
    return true;
}

RunStatus Trainer::status(int run) const { return runs_.at(run)->status; }
const Model<float>& Trainer::model(int run) const { return *runs_.at(run)->model; }

void Trainer::evaluate(Run& r, Mode mode, double* loss, double* acc) {
    double total = 0;
    std::int64_t counted = 0, correct = 0;
    ForwardOptions opt;
    opt.mode = mode;
    opt.cancel = &cancel_;
    for (const Batch& b : r.val) {
        const LossResult res = r.model->forward(b.ids.data(), b.targets.data(), b.batch, b.seq_len, opt);
        total += res.loss * static_cast<double>(res.counted);
        counted += res.counted;
        correct += res.correct;
    }
    *loss = counted ? total / static_cast<double>(counted) : 0.0;
    *acc = counted ? static_cast<double>(correct) / static_cast<double>(counted) : 0.0;
}

namespace {

std::string not_finite(const char* what, double v) {
    return std::string(what) + " is " + (std::isnan(v) ? "NaN" : (v > 0 ? "+inf" : "-inf"));
}

}  // namespace

// Forward and backward (cancellable): nothing but activations, gradients and BatchNorm's
// running statistics changes here.
void Trainer::step_run(Run& r, Events& ev) {
    const TrainConfig& t = r.spec.train;
    const long s = step_ + 1;
    Model<float>& m = *r.model;
    r.data->fill_train_batch(static_cast<std::uint64_t>(s - 1), r.batch);
    const Batch& b = r.batch;
    ForwardOptions opt;
    opt.mode = Mode::Train;
    opt.collect_probes = (s - 1) % t.probe_every == 0;
    opt.dropout_seed = t.seed;
    opt.step = static_cast<std::uint64_t>(s);
    opt.cancel = &cancel_;
    m.zero_grad();
    const LossResult loss = m.forward(b.ids.data(), b.targets.data(), b.batch, b.seq_len, opt);
    StepMetrics& mt = ev.metrics;
    ev.has_metrics = true;
    mt.step = s;
    mt.lr = schedule_lr(t, s);
    mt.train_loss = loss.loss;
    mt.train_acc = loss.counted ? static_cast<double>(loss.correct) / static_cast<double>(loss.counted) : 0.0;
    if (!std::isfinite(loss.loss)) {
        ev.diverged = true;
        ev.cause = not_finite("the training loss", loss.loss);
        mt.grad_norm = std::nan("");
        mt.diverged = true;
        return;
    }
    m.backward();
    const std::size_t n = m.num_params();
    mt.grad_norm = l2_norm(m.grads().data(), n, r.norm_partials.data(), par_);
    if (opt.collect_probes) ev.probes.push_back({s - 1, m.probes(), tensor_norms(m)});
    if (!std::isfinite(mt.grad_norm)) {
        ev.diverged = true;
        ev.cause = not_finite("the gradient norm", mt.grad_norm);
        mt.diverged = true;
        return;
    }
    ev.update = true;
}

// The update (not cancellable, one pass over the parameters), then the evaluation and the final
// probe (cancellable: a step cancelled there keeps its update and skips its validation).
void Trainer::update_run(Run& r, Events& ev) {
    const TrainConfig& t = r.spec.train;
    const long s = step_ + 1;
    Model<float>& m = *r.model;
    StepMetrics& mt = ev.metrics;
    const std::size_t n = m.num_params();
    clip_global_norm(m.grads().data(), n, mt.grad_norm, t.clip, par_);
    r.opt->update(m.params().data(), m.grads().data(), n, mt.lr, s, &par_);
    try {
        if (s % t.eval_every == 0 || s == t.steps) {
            double loss = 0, acc = 0, loss_b = 0, acc_b = 0;
            evaluate(r, Mode::Eval, &loss, &acc);
            if (r.model->buffers().empty()) {  // no batchnorm: both modes are the same function
                loss_b = loss;
                acc_b = acc;
            } else {
                evaluate(r, Mode::TrainNoUpdate, &loss_b, &acc_b);
            }
            mt.has_val = true;
            mt.val_loss = loss;
            mt.val_acc = acc;
            mt.val_loss_batch_stats = loss_b;
            mt.val_acc_batch_stats = acc_b;
            if (!std::isfinite(mt.val_loss)) {
                ev.diverged = true;
                ev.cause = not_finite("the validation loss", mt.val_loss);
                mt.diverged = true;
                return;
            }
        }
        if (s == t.steps) probe_final(r, ev);
    } catch (const StepCancelled&) {
    }
}

// After the last update: one more forward and backward, no update, so that the last probe
// shows the trained weights.
void Trainer::probe_final(Run& r, Events& ev) {
    const long s = step_ + 1;
    Model<float>& m = *r.model;
    r.data->fill_train_batch(static_cast<std::uint64_t>(s), r.batch);
    const Batch& b = r.batch;
    ForwardOptions opt;
    opt.mode = Mode::TrainNoUpdate;
    opt.collect_probes = true;
    opt.dropout_seed = r.spec.train.seed;
    opt.step = static_cast<std::uint64_t>(s + 1);
    opt.cancel = &cancel_;
    m.zero_grad();
    const LossResult loss = m.forward(b.ids.data(), b.targets.data(), b.batch, b.seq_len, opt);
    if (!std::isfinite(loss.loss)) return;
    m.backward();
    ev.probes.push_back({s, m.probes(), tensor_norms(m)});
    m.zero_grad();
}

bool Trainer::step() {
    // Reused from step to step, like every buffer of a step: no heap allocation after the first.
    std::vector<Run*>& live = live_;
    live.clear();
    for (auto& r : runs_)
        if (!r->done) live.push_back(r.get());
    if (live.empty()) return false;
    std::vector<Events>& events = *events_;
    events.resize(live.size());
    for (Events& ev : events) ev.clear();
    for (Run* r : live)
        if (!r->model->buffers().empty()) r->saved_buffers = r->model->buffers();
    try {
        par_.for_each(live.size(), [&](std::size_t i) { step_run(*live[i], events[i]); });
    } catch (const StepCancelled&) {
        // As if the step had not begun: only BatchNorm's statistics had moved.
        for (Run* r : live)
            if (!r->model->buffers().empty()) r->model->buffers() = r->saved_buffers;
        return false;
    }
    par_.for_each(live.size(), [&](std::size_t i) {
        if (events[i].update) update_run(*live[i], events[i]);
    });
    ++step_;
    for (std::size_t i = 0; i < live.size(); ++i) {
        Run& r = *live[i];
        const int idx = r.index;
        r.status.step = step_;
        for (const auto& p : events[i].probes)
            if (sink_) sink_->on_probe(idx, p);
        if (events[i].has_metrics && sink_) sink_->on_metrics(idx, events[i].metrics);
        if (events[i].diverged) {
            r.status.diverged = true;
            r.status.diverged_step = step_;
            r.status.cause = events[i].cause;
            r.done = true;
            if (sink_) sink_->on_diverged(idx, step_, events[i].cause);
        } else if (step_ >= r.spec.train.steps) {
            r.done = true;
        }
    }
    if (sink_) sink_->on_step_done(step_);
    return true;
}

bool Trainer::run() {
    while (!finished()) {
        {
            std::unique_lock<std::mutex> lock(mu_);
            held_ = paused_.load() && step_requests_ == 0 && !cancel_.load();
            cv_.wait(lock, [&] { return cancel_.load() || !paused_.load() || step_requests_ > 0; });
            held_ = false;
            if (cancel_) return false;
            if (paused_ && step_requests_ > 0) --step_requests_;
        }
        if (!step() && cancel_.load()) return false;
    }
    return true;
}

void Trainer::pause() {
    paused_ = true;
    cv_.notify_all();
}

void Trainer::resume() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        paused_ = false;
        step_requests_ = 0;
    }
    cv_.notify_all();
}

void Trainer::request_step() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++step_requests_;
    }
    cv_.notify_all();
}

void Trainer::clear_cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_ = false;
}

void Trainer::cancel() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        cancel_ = true;
    }
    cv_.notify_all();
}

}  // namespace ns
