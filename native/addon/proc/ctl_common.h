// Shared by the control syscalls (control.cc, ctl_signal.cc): errno → JS error with `.code`,
// argument checks, and the list of a process's threads.
#pragma once
#include <napi.h>

#include <cerrno>
#include <string>
#include <vector>

namespace vantage::proc::ctl {

/** The errno name ("EPERM") that becomes the JS error's `.code`. */
const char* ErrnoName(int err);

/** Throws a JS Error whose `.code` is the errno name and whose message says what failed. */
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const std::string& what);

/** Throws a JS Error with code EINVAL for a bad argument. */
[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string& message);

/** A pid argument: an integer 1..4194304, else EINVAL. */
int PidArg(const Napi::CallbackInfo& info, size_t index);

/** An integer argument within [lo, hi], else EINVAL naming the argument. */
long long IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, long long lo, long long hi);

/**
 * Thread ids of a process from /proc/PID/task. Threads start and exit while we act, so a thread
 * that vanished is skipped by the caller (ESRCH on one thread is not a failure of the process).
 */
std::vector<int> ThreadsOf(int pid, int* err);

/** Field 22 of /proc/PID/stat (start time in clock ticks after boot), or -1 with errno set. */
long long StartTicksOf(int pid);

}  // namespace vantage::proc::ctl
