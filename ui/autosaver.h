// Saves the window's experiment and results every few seconds while they change (training),
// off the GUI thread, into the state folder's autosave/<session> (the same files as
// `normscope train` writes), so that a crash or a kill loses at most the last few seconds.
// The session is registered (engine/session.h) on the first save and forgotten on a clean close.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/session.h"
#include "ui/rundata.h"

namespace nsui {

class Autosaver : public QObject {
    Q_OBJECT
public:
    explicit Autosaver(RunStore& store, QObject* parent = nullptr);
    ~Autosaver() override;  // waits for a save in flight; a clean end forgets the session

    void setIntervalMs(int ms);  // default 5000
    // After a restore: forget `r` once its results have been saved again under this session.
    void forgetAfterNextSave(const ns::SessionRecord& r);
    void saveNow();  // queues a save of the current snapshot if it changed
    bool waitForIdle(int timeout_ms);  // for tests
    long savedStep() const { return savedStep_.load(); }
    int saves() const { return saves_.load(); }
    QString lastError() const;
    QString sessionId() const;
    bool hasSession() const;
    // For tests: let go of the session as a killed process would (the record stays).
    void abandonForTest();

private:
    void save(SnapshotPtr s);
    void joinSaver();
    RunStore& store_;
    std::thread saver_;  // the save in flight (a plain thread: TSan sees its start and join)
    QTimer timer_;
    quint64 savedVersion_ = 0;
    std::atomic<bool> busy_{false};
    std::atomic<long> savedStep_{0};
    std::atomic<int> saves_{0};
    mutable std::mutex mu_;  // guards the members below (used by the saving thread)
    std::unique_ptr<ns::Session> session_;
    std::optional<ns::SessionRecord> forget_;
    QString error_;
};

}  // namespace nsui
