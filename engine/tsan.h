// Happens-before annotations for ThreadSanitizer, for synchronisation TSan cannot see: oneTBB's
// task scheduler and Qt's event queue are not built with TSan. They compile to nothing in every
// other build.
#pragma once

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
namespace ns {
inline void tsan_release(const void* token) { __tsan_release(const_cast<void*>(token)); }
inline void tsan_acquire(const void* token) { __tsan_acquire(const_cast<void*>(token)); }
// Reads between these two are not checked: for the few reads that find what to acquire.
inline void tsan_ignore_reads_begin() { AnnotateIgnoreReadsBegin(__FILE__, __LINE__); }
inline void tsan_ignore_reads_end() { AnnotateIgnoreReadsEnd(__FILE__, __LINE__); }

// Between our code's turns, a thread runs TBB's: on a worker, between two of our tasks; on the
// thread that waits for a loop, after its share of the tasks and before the loop returns. Some of
// it is inlined from TBB's headers and so instrumented (a loop's bookkeeping, which lives on the
// stack of the thread that waited for it and which a worker may still touch after the last task
// has told TSan it is done). TSan cannot see what orders those accesses and cannot always restore
// their stacks to match a suppression, so they go unchecked: from the end of each of our tasks
// until our code runs again (the next task, or the loop's return).
// A worker that ends in TBB's code turns the checks back on as it exits (a thread-local's
// destructor runs before TSan's end of the thread, which refuses a thread with its checks off).
struct TsanInTbb {
    bool on = false;
    void end() {
        if (!on) return;
        on = false;
        AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
        AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    }
    ~TsanInTbb() { end(); }
};
inline thread_local TsanInTbb tsan_in_tbb;
inline void tsan_task_begin() { tsan_in_tbb.end(); }
inline void tsan_task_end() {
    if (tsan_in_tbb.on) return;
    tsan_in_tbb.on = true;
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}
}  // namespace ns
#else
namespace ns {
inline void tsan_release(const void*) {}
inline void tsan_acquire(const void*) {}
inline void tsan_ignore_reads_begin() {}
inline void tsan_ignore_reads_end() {}
inline void tsan_task_begin() {}
inline void tsan_task_end() {}
}  // namespace ns
#endif
