// Drives the engine from a worker thread. The GUI thread never computes: it asks the controller
// to run, pause, step, reset or cancel; the worker thread builds the trainer and trains; results
// go into a RunStore that the window reads on its redraw timer.
#pragma once

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>
#include <mutex>

#include "engine/config.h"
#include "engine/results.h"
#include "ui/rundata.h"

namespace ns {
class Trainer;
}

namespace nsui {

class TrainingWorker;
struct ThreadEnd;

class TrainingController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Preparing, Running, Paused, Finished, Failed };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;  // cancels, waits for the worker thread

    // The experiment the next Run starts from (a running one is not touched until Reset).
    void setExperiment(const ns::Experiment& e);
    const ns::Experiment& experiment() const { return experiment_; }
    void setThreads(int threads) { threads_ = threads; }

    void run();     // start, or resume when paused
    void pause();
    void step();    // exactly one step (starts paused if idle)
    void reset();   // cancel and go back to step 0 with the current experiment
    void cancel();  // stop training; keeps the results
    // Shows results read back from files (a restored session): the experiment becomes the
    // current one, the charts show the runs as saved, and Run trains afresh from step 0.
    void showResults(const ns::Results& r);

    State state() const { return state_; }
    // Preparing, and Pause or Step was asked for: training will start paused.
    bool startsPaused() const { return state_ == State::Preparing && pending_.paused; }
    bool busy() const { return state_ == State::Running || state_ == State::Paused || state_ == State::Preparing; }
    RunStore& store() { return store_; }
    QString lastError() const { return error_; }

    // True when paused with no step in flight.
    bool heldPaused();
    // For tests: block until the worker is idle again (or the timeout in ms passes).
    bool waitForIdle(int timeout_ms);

Q_SIGNALS:
    void stateChanged(nsui::TrainingController::State state);
    void failed(const QString& message);

protected:
    void customEvent(QEvent* e) override;  // the worker's hand-offs (ui/handoff.h)

private:
    friend class TrainingWorker;
    void setState(State s);
    void start(bool paused);
    void launch(const std::shared_ptr<ns::Trainer>& t, bool paused);
    void onPrepared(std::shared_ptr<ns::Trainer> t, const ns::Experiment& built, const QString& error);
    void onWorkerStopped(bool finished, const QString& error);

    ns::Experiment experiment_;
    int threads_ = 0;
    State state_ = State::Idle;
    QString error_;
    RunStore store_;
    std::shared_ptr<ThreadEnd> thread_end_;  // declared before thread_: outlives it
    QThread thread_;
    TrainingWorker* worker_ = nullptr;
    std::shared_ptr<ns::Trainer> trainer_;  // shared with the worker
    std::mutex trainer_mu_;
    // What the user asked for while the worker was building the trainer (State::Preparing),
    // carried out when it arrives.
    struct Pending {
        bool paused = false;
        int steps = 0;
    } pending_;
    std::shared_ptr<std::atomic<bool>> abandon_;  // the build in progress, if any
};

// Lives in the worker thread. The controller hands it a trainer and it hands back how training
// ended, both through HandOffEvent (ui/handoff.h), never through queued signals.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    TrainingWorker(RunStore& store, TrainingController* controller) : store_(store), controller_(controller) {}

    // Builds the models and data of `e` (which may be refused: a text file gone missing) and
    // hands the trainer, or the reason, back to the controller.
    // When `abandon` becomes true (the user cancelled, the window closes) the build stops
    // between runs and nothing is handed back.
    void prepare(const ns::Experiment& e, int threads, std::shared_ptr<std::atomic<bool>> abandon);
    // Trains until the trainer finishes, is cancelled or fails, then tells the controller.
    void train(std::shared_ptr<ns::Trainer> trainer);

protected:
    void customEvent(QEvent* e) override;

private:
    RunStore& store_;
    TrainingController* controller_;
};

}  // namespace nsui
