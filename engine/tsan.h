// Happens-before annotations for ThreadSanitizer, for synchronisation TSan cannot see: oneTBB's
// task scheduler and Qt's event queue are not built with TSan. They compile to nothing in every
// other build.
#pragma once

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
namespace ns {
inline void tsan_release(const void* token) { __tsan_release(const_cast<void*>(token)); }
inline void tsan_acquire(const void* token) { __tsan_acquire(const_cast<void*>(token)); }
}  // namespace ns
#else
namespace ns {
inline void tsan_release(const void*) {}
inline void tsan_acquire(const void*) {}
}  // namespace ns
#endif
