// Runs a function on another QObject's thread, through that object's event queue, with the
// hand-off visible to ThreadSanitizer.
//
// Qt's posted-event queue is guarded by a futex-based mutex inside libQt6Core, which is not built
// with TSan. A queued signal or QMetaObject::invokeMethod allocates its event and arguments on the
// sending thread and reads them on the receiving one in code of ours (Qt's inline templates), so
// TSan saw an unsynchronised write and read whenever the receiver was not asleep in poll() (when it
// is, the wake-up through an eventfd is a synchronisation TSan does see). That made a CI run of
// the window tests fail now and then. Here the event is released after it is built and acquired
// before it is run or destroyed, so everything it carries is ordered. Outside TSan builds the
// annotations compile to nothing and this is a plain posted event.
#pragma once

#include <QCoreApplication>
#include <QEvent>

#include <functional>
#include <utility>

#include "engine/tsan.h"

namespace nsui {

class HandOffEvent : public QEvent {
public:
    static QEvent::Type eventType() {
        static const auto t = static_cast<QEvent::Type>(QEvent::registerEventType());
        return t;
    }

    // Queues `fn` to run on `receiver`'s thread. The receiver's customEvent() calls deliver().
    // If the receiver is destroyed first, Qt deletes the event and `fn` never runs.
    static void post(QObject* receiver, std::function<void()> fn) {
        auto* e = new HandOffEvent(std::move(fn));
        ns::tsan_release(e);
        QCoreApplication::postEvent(receiver, e);
    }

    // True when `e` was a hand-off (and it has run). Acquired before anything of the event is
    // read, its type included: the type is written on the posting thread too. Acquiring on an
    // event that is not a hand-off orders nothing and costs nothing.
    static bool deliver(QEvent* e) {
        ns::tsan_acquire(e);
        if (e->type() != eventType()) return false;
        static_cast<HandOffEvent*>(e)->fn_();
        return true;
    }

    // Also acquired here: an event Qt discards unrun (its receiver went away) is destroyed, with
    // what its function captured, on the receiving thread.
    ~HandOffEvent() override { ns::tsan_acquire(this); }

private:
    explicit HandOffEvent(std::function<void()> fn) : QEvent(eventType()), fn_(std::move(fn)) {}
    std::function<void()> fn_;
};

}  // namespace nsui
