// Signals that cannot hit a recycled PID: open a pidfd first, then check /proc/PID/stat's start
// time, then signal through the pidfd. If the process exits after the check, the pidfd still
// names it and the signal fails with ESRCH instead of reaching whoever got the PID next.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "ctl_common.h"
#include "proc_stat.h"
#include "proc.h"


namespace vantage::proc {
namespace {

using ctl::IntArg;
using ctl::PidArg;
using ctl::ThrowErrno;

[[noreturn]] void ThrowReused(Napi::Env env, int pid) {
  Napi::Error e = Napi::Error::New(env, "ESRCH: process " + std::to_string(pid) + " exited (PID was reused)");
  e.Set("code", Napi::String::New(env, "ESRCH"));
  e.Set("reused", Napi::Boolean::New(env, true));
  throw e;
}

void CheckStart(Napi::Env env, int pid, long long expected) {
  if (expected < 0) return;
  long long actual = ctl::StartTicksOf(pid);
  if (actual < 0) ThrowErrno(env, errno, "read /proc/" + std::to_string(pid) + "/stat");
  if (actual != expected) ThrowReused(env, pid);
}

// pidfdSignal(pid, sig, startTicks?) → 'pidfd' | 'kill' (which path delivered it).
Napi::Value PidfdSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  int sig = static_cast<int>(IntArg(info, 1, "signal", 0, 64));
  long long expected = -1;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    expected = IntArg(info, 2, "startTicks", 0, 9007199254740991LL);
  }
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    int e = errno;
    // Kernels before 5.3 (ENOSYS) or seccomp filters (EPERM on the syscall itself is not
    // distinguishable, so only ENOSYS falls back): check then kill, a small window remains.
    if (e != ENOSYS) ThrowErrno(env, e, "pidfd_open pid " + std::to_string(pid));
    CheckStart(env, pid, expected);
    if (kill(pid, sig) != 0) ThrowErrno(env, errno, "kill pid " + std::to_string(pid));
    return Napi::String::New(env, "kill");
  }
  try {
    CheckStart(env, pid, expected);
  } catch (...) {
    close(fd);
    throw;
  }
  long r = syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0);
  int e = errno;
  close(fd);
  if (r != 0) {
    if (e == ENOSYS) {
      if (kill(pid, sig) != 0) ThrowErrno(env, errno, "kill pid " + std::to_string(pid));
      return Napi::String::New(env, "kill");
    }
    ThrowErrno(env, e, "pidfd_send_signal pid " + std::to_string(pid));
  }
  return Napi::String::New(env, "pidfd");
}

Napi::Value StartTicks(const Napi::CallbackInfo& info) {
  int pid = PidArg(info, 0);
  long long t = ctl::StartTicksOf(pid);
  if (t < 0) ThrowErrno(info.Env(), errno, "read /proc/" + std::to_string(pid) + "/stat");
  return Napi::Number::New(info.Env(), static_cast<double>(t));
}

}  // namespace

void InitSignal(Napi::Env env, Napi::Object exports) {
  exports.Set("pidfdSignal", Napi::Function::New(env, PidfdSignal, "pidfdSignal"));
  exports.Set("startTicks", Napi::Function::New(env, StartTicks, "startTicks"));
}

}  // namespace vantage::proc
