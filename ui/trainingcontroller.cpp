#include "ui/trainingcontroller.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <condition_variable>

#include "engine/parallel.h"
#include "engine/trainer.h"
#include "ui/handoff.h"

namespace nsui {

namespace {

// Forwards results to the store and keeps its progress up to date after each step.
class StoreSink : public ns::TrainerSink {
public:
    StoreSink(RunStore& store, const ns::Trainer& t) : store_(store), trainer_(t) {}
    void on_metrics(int run, const ns::StepMetrics& m) override { store_.on_metrics(run, m); }
    void on_probe(int run, const ns::ProbeSnapshot& p) override { store_.on_probe(run, p); }
    void on_diverged(int run, long step, const std::string& cause) override { store_.on_diverged(run, step, cause); }
    void on_step_done(long step) override {
        std::vector<ns::RunStatus> st;
        for (int i = 0; i < trainer_.num_runs(); ++i) st.push_back(trainer_.status(i));
        store_.set_progress(step, st);
    }

private:
    RunStore& store_;
    const ns::Trainer& trainer_;
};

}  // namespace

// The training thread's very end, told to the destructor through a std::mutex and
// std::condition_variable, which ThreadSanitizer sees.
//
// Qt's threads are detached and QThread::wait() returns through Qt's futex-based mutex inside
// libQt6Core, which TSan cannot see. When wait() finds the thread already finished, nothing TSan
// sees orders the thread's last acts (QThreadPrivate::finish() wakes the QThread's wait condition)
// before the QThread is destroyed, and TSan reported the wait condition's destruction as a race
// (CI, tst_ui_mainwindow). A thread_local destructor runs after finish(), once the thread
// function has returned; the controller's destructor waits for it after wait().
struct ThreadEnd {
    std::mutex mu;
    std::condition_variable cv;
    bool started = false;  // set on the thread; a thread that never started never ends
    bool ended = false;
};

namespace {

struct ThreadEndNotice {
    std::shared_ptr<ThreadEnd> end;
    ~ThreadEndNotice() {
        if (!end) return;
        std::lock_guard<std::mutex> lock(end->mu);
        end->ended = true;
        end->cv.notify_all();
    }
};

}  // namespace

void TrainingWorker::prepare(const ns::Experiment& e, int threads, std::shared_ptr<std::atomic<bool>> abandon) {
    std::shared_ptr<ns::Trainer> t;
    QString error;
    try {
        t = std::make_shared<ns::Trainer>(e, threads, abandon.get());
    } catch (const ns::BuildAbandoned&) {
        return;  // the controller has moved on (or is going away)
    } catch (const std::exception& ex) {
        error = QString::fromStdString(ex.what());
    }
    TrainingController* c = controller_;
    HandOffEvent::post(c, [c, t, e, error, abandon] {
        if (!abandon->load()) c->onPrepared(t, e, error);
    });
}

void TrainingWorker::train(std::shared_ptr<ns::Trainer> trainer) {
    bool finished = false;
    QString error;
    try {
        StoreSink sink(store_, *trainer);
        trainer->set_sink(&sink);
        finished = trainer->run();
        trainer->set_sink(nullptr);
    } catch (const std::exception& e) {
        trainer->set_sink(nullptr);
        error = QString::fromStdString(e.what());
    }
    TrainingController* c = controller_;
    HandOffEvent::post(c, [c, finished, error] { c->onWorkerStopped(finished, error); });
}

void TrainingWorker::customEvent(QEvent* e) {
    if (!HandOffEvent::deliver(e)) QObject::customEvent(e);
}

void TrainingController::customEvent(QEvent* e) {
    if (!HandOffEvent::deliver(e)) QObject::customEvent(e);
}

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), thread_end_(std::make_shared<ThreadEnd>()) {
    worker_ = new TrainingWorker(store_, this);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(
        &thread_, &QThread::started, &thread_,
        [end = thread_end_] {  // on the new thread
            thread_local ThreadEndNotice notice;
            notice.end = end;
            std::lock_guard<std::mutex> lock(end->mu);
            end->started = true;
        },
        Qt::DirectConnection);
    thread_.setObjectName("NormScope training");
    thread_.setStackSize(static_cast<uint>(ns::kWorkerStackBytes));  // room for Eigen's packing blocks
    thread_.start();
    store_.reset(experiment_, 0);
}

TrainingController::~TrainingController() {
    if (abandon_) abandon_->store(true);
    {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        if (trainer_) trainer_->cancel();
    }
    thread_.quit();
    thread_.wait();
    std::unique_lock<std::mutex> lock(thread_end_->mu);
    thread_end_->cv.wait(lock, [this] { return !thread_end_->started || thread_end_->ended; });
}

void TrainingController::setExperiment(const ns::Experiment& e) {
    experiment_ = e;
    if (!busy()) {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        trainer_.reset();
        store_.reset(experiment_, experiment_.runs.empty() ? 0 : experiment_.train.steps);
        setState(State::Idle);
    }
}

void TrainingController::setState(State s) {
    if (s == state_) return;
    state_ = s;
    Q_EMIT stateChanged(s);
}

void TrainingController::start(bool paused) {
    std::shared_ptr<ns::Trainer> t;
    {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        if (trainer_ && !trainer_->finished()) t = trainer_;
    }
    if (t) {  // a cancelled run continues from where it stopped
        launch(t, paused);
        return;
    }
    // A new trainer: the worker builds it (models, initialisation, data), never this thread.
    pending_ = Pending{paused, 0};
    abandon_ = std::make_shared<std::atomic<bool>>(false);
    setState(State::Preparing);
    const int threads = threads_ > 0 ? threads_ : ns::Parallel::hardware_threads();
    HandOffEvent::post(worker_, [w = worker_, e = experiment_, threads, a = abandon_] { w->prepare(e, threads, a); });
}

void TrainingController::launch(const std::shared_ptr<ns::Trainer>& t, bool paused) {
    {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        t->clear_cancel();
        if (paused) t->pause();
        else t->resume();
    }
    setState(paused ? State::Paused : State::Running);
    HandOffEvent::post(worker_, [w = worker_, t] { w->train(t); });
}

void TrainingController::onPrepared(std::shared_ptr<ns::Trainer> t, const ns::Experiment& built, const QString& error) {
    abandon_.reset();
    if (!t) {
        error_ = error;
        setState(State::Failed);
        Q_EMIT failed(error_);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        trainer_ = t;
    }
    store_.reset(built, t->total_steps());
    launch(t, pending_.paused);
    for (int i = 0; i < pending_.steps; ++i) t->request_step();
}

void TrainingController::run() {
    switch (state_) {
    case State::Paused: {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        if (trainer_) trainer_->resume();
        setState(State::Running);
        return;
    }
    case State::Preparing:
        if (pending_.paused) {
            pending_.paused = false;
            Q_EMIT stateChanged(state_);  // the window's actions follow
        }
        return;
    case State::Running:
        return;
    default:
        start(false);
    }
}

void TrainingController::pause() {
    if (state_ == State::Preparing && !pending_.paused) {
        pending_.paused = true;
        Q_EMIT stateChanged(state_);
        return;
    }
    if (state_ != State::Running) return;
    std::lock_guard<std::mutex> lock(trainer_mu_);
    if (trainer_) trainer_->pause();
    setState(State::Paused);
}

void TrainingController::step() {
    if (state_ == State::Running) pause();
    if (state_ == State::Paused) {
        std::lock_guard<std::mutex> lock(trainer_mu_);
        if (trainer_) trainer_->request_step();
        return;
    }
    if (state_ == State::Preparing) {
        ++pending_.steps;
        if (!pending_.paused) {
            pending_.paused = true;
            Q_EMIT stateChanged(state_);
        }
        return;
    }
    start(true);
    if (state_ == State::Preparing) {
        pending_.steps = 1;
        return;
    }
    std::lock_guard<std::mutex> lock(trainer_mu_);
    if (trainer_ && state_ == State::Paused) trainer_->request_step();
}

void TrainingController::cancel() {
    if (state_ == State::Preparing) {  // the build is dropped; Run starts a new one
        abandon_->store(true);
        abandon_.reset();
        setState(State::Idle);
        return;
    }
    std::lock_guard<std::mutex> lock(trainer_mu_);
    if (trainer_) trainer_->cancel();
}

void TrainingController::reset() {
    cancel();
    waitForIdle(10000);
    std::lock_guard<std::mutex> lock(trainer_mu_);
    trainer_.reset();
    store_.reset(experiment_, experiment_.train.steps);
    setState(State::Idle);
}

void TrainingController::showResults(const ns::Results& r) {
    if (busy()) reset();
    experiment_ = r.experiment;
    std::lock_guard<std::mutex> lock(trainer_mu_);
    trainer_.reset();
    long total = 0, step = 0;
    for (const auto& run : r.experiment.runs) total = std::max<long>(total, run.train.steps);
    store_.reset(experiment_, total);
    std::vector<ns::RunStatus> status;
    for (std::size_t i = 0; i < r.runs.size(); ++i) {
        const ns::RunResult& run = r.runs[i];
        for (const auto& p : run.probes) store_.on_probe(static_cast<int>(i), *p);
        for (const auto& m : run.metrics) store_.on_metrics(static_cast<int>(i), m);
        if (run.status.diverged)
            store_.on_diverged(static_cast<int>(i), run.status.diverged_step, run.status.cause);
        status.push_back(run.status);
        step = std::max(step, run.status.step);
    }
    store_.set_progress(step, status);
    setState(State::Idle);
}

bool TrainingController::heldPaused() {
    std::lock_guard<std::mutex> lock(trainer_mu_);
    return state_ == State::Paused && trainer_ && trainer_->held();
}

bool TrainingController::waitForIdle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    while (busy() && t.elapsed() < timeout_ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return !busy();
}

void TrainingController::onWorkerStopped(bool finished, const QString& error) {
    if (!error.isEmpty()) {
        error_ = error;
        setState(State::Failed);
        Q_EMIT failed(error);
        return;
    }
    if (finished) {
        setState(State::Finished);
        return;
    }
    // Cancelled: keep the results and the trainer (Run continues from here unless reset).
    setState(State::Idle);
}

}  // namespace nsui
