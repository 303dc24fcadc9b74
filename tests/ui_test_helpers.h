// Shared by the window suites: a short version of the default experiment, and waiting for the
// worker thread while the event loop keeps running.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <functional>

#include "engine/config.h"

namespace nstest {

// Instrumented builds (sanitizers) run 5 to 20 times slower: long trainings are cut short there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kInstrumented = true;
#else
inline constexpr bool kInstrumented = false;
#endif
inline int steps_for_build(int steps) { return kInstrumented ? std::max(20, steps / 8) : steps; }

// The built-in experiment, `steps` long, probed and evaluated every 10 steps.
inline ns::Experiment short_default(int steps) {
    nlohmann::json j = ns::to_json(ns::default_experiment());
    j["train"]["steps"] = steps;
    j["train"]["probe_every"] = 10;
    j["train"]["eval_every"] = 10;
    return ns::parse_experiment(j);
}

// Waits with the event loop running; instrumented builds get ten times the timeout.
inline bool wait_for(const std::function<bool()>& done, int timeout_ms = 60000) {
    if (kInstrumented) timeout_ms *= 10;
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeout_ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(2);
    }
    return done();
}

// Qt's global thread pool (the raster engine scales and converts images on it while a window
// paints) starts and feeds its threads under a futex-based mutex inside libQt6Core, which
// ThreadSanitizer cannot see, so two pool threads starting together were reported as a race in
// Qt's own start-up code (frames with no symbol, nothing of NormScope's on the stacks). Under
// TSan the window suites call this first: the pool keeps a single thread, which never expires, so
// no two pool threads ever exist. NormScope runs none of its code on this pool; other builds
// leave it as it is.
inline void limit_qt_pool_for_tsan() {
#if defined(__SANITIZE_THREAD__)
    QThreadPool::globalInstance()->setMaxThreadCount(1);
    QThreadPool::globalInstance()->setExpiryTimeout(-1);
#endif
}

}  // namespace nstest
