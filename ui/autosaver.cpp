#include "ui/autosaver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <filesystem>

#include "engine/report.h"
#include "engine/results.h"

namespace nsui {

Autosaver::Autosaver(RunStore& store, QObject* parent) : QObject(parent), store_(store) {
    timer_.setInterval(5000);
    connect(&timer_, &QTimer::timeout, this, &Autosaver::saveNow);
    timer_.start();
    savedVersion_ = store_.version();  // nothing to save until something changes
}

Autosaver::~Autosaver() {
    timer_.stop();
    joinSaver();
    std::lock_guard<std::mutex> lock(mu_);
    if (session_) {
        const ns::SessionRecord r = session_->record();
        session_.reset();       // removes the record
        ns::forget_session(r);  // and the autosave folder
    }
}

void Autosaver::setIntervalMs(int ms) { timer_.setInterval(ms); }

void Autosaver::forgetAfterNextSave(const ns::SessionRecord& r) {
    std::lock_guard<std::mutex> lock(mu_);
    forget_ = r;
}

void Autosaver::saveNow() {
    if (busy_.load()) return;  // the next tick saves what arrived meanwhile
    const quint64 v = store_.version();
    if (v == savedVersion_) return;
    SnapshotPtr s = store_.snapshot();
    if (!s->experiment) return;
    if (s->step == 0 && !hasSession()) return;  // nothing trained yet: nothing worth restoring
    savedVersion_ = s->version;
    joinSaver();
    busy_ = true;
    saver_ = std::thread([this, s] {
        save(s);
        busy_ = false;
    });
}

void Autosaver::joinSaver() {
    if (saver_.joinable()) saver_.join();
}

// On a pool thread: the files, each written whole to a temporary and renamed.
void Autosaver::save(SnapshotPtr s) {
    namespace fs = std::filesystem;
    std::lock_guard<std::mutex> lock(mu_);
    try {
        if (!session_) {
            std::string names;
            for (const auto& r : s->experiment->runs) {
                if (!names.empty()) names += ", ";
                names += r.name;
            }
            // No folder given: the session's own autosave folder, named after its id.
            session_ = std::make_unique<ns::Session>("window", "", "", names);
            if (!session_->registered()) {
                error_ = QString::fromStdString(session_->error());
                session_.reset();
                return;
            }
        }
        const std::string dir = session_->record().results_dir;
        ns::prepare_output_dir(dir);
        ns::write_file_atomic(dir + "/experiment.json", ns::to_json(*s->experiment).dump(2) + "\n");
        for (const RunSeries& r : s->runs) {
            const std::string rd = dir + "/" + ns::file_safe_name(r.name.toStdString());
            ns::prepare_output_dir(rd);
            ns::write_file_atomic(rd + "/metrics.csv", ns::metrics_csv(r.metrics));
            ns::write_file_atomic(rd + "/eval_gap.csv", ns::eval_gap_csv(r.metrics));
            ns::write_file_atomic(rd + "/norm_stats.csv", ns::norm_stats_csv(r.probes));
            ns::write_file_atomic(rd + "/grad_norms.csv", ns::grad_norms_csv(r.probes));
            ns::write_file_atomic(rd + "/residual.csv", ns::residual_csv(r.probes));
        }
        session_->saved(s->step, s->total_steps);
        error_.clear();
        if (forget_) {
            ns::forget_session(*forget_);
            forget_.reset();
        }
        savedStep_ = s->step;
        ++saves_;  // last: a reader that sees the count sees everything this save did
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
    }
}

bool Autosaver::waitForIdle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    while (busy_.load() && t.elapsed() < timeout_ms) QThread::msleep(2);
    return !busy_.load();
}

QString Autosaver::lastError() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
}

bool Autosaver::hasSession() const {
    std::lock_guard<std::mutex> lock(mu_);
    return session_ != nullptr;
}

QString Autosaver::sessionId() const {
    std::lock_guard<std::mutex> lock(mu_);
    return session_ ? QString::fromStdString(session_->record().id) : QString();
}

void Autosaver::abandonForTest() {
    timer_.stop();
    joinSaver();
    std::lock_guard<std::mutex> lock(mu_);
    if (session_) session_->abandon();
    session_.reset();
}

}  // namespace nsui
