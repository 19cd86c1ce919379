// The scheduling and limit syscalls Node lacks: nice of every thread, I/O priority, CPU affinity,
// resource limits. Each throws a JS Error whose `.code` is the errno name (EPERM, ESRCH, ...).
// Signals (pidfd) live in ctl_signal.cc.
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <string>
#include <vector>

#include "ctl_common.h"
#include "proc.h"

namespace vantage::proc {
namespace {

using ctl::IntArg;
using ctl::PidArg;
using ctl::ThrowErrno;
using ctl::ThrowInvalid;

// A per-thread action applied to every thread of a process. Threads may exit meanwhile: ESRCH on
// one is skipped; any other error stops and is thrown (a partial change is reported as such).
template <typename F>
int ForEachThread(Napi::Env env, int pid, const char* what, F action) {
  int err = 0;
  std::vector<int> tids = ctl::ThreadsOf(pid, &err);
  if (err) ThrowErrno(env, err, std::string(what) + " pid " + std::to_string(pid));
  int done = 0;
  for (int tid : tids) {
    if (action(tid) == 0) {
      done++;
      continue;
    }
    int e = errno;
    if (e == ESRCH) continue;
    std::string msg = std::string(what) + " pid " + std::to_string(pid);
    if (done > 0) msg += " (changed " + std::to_string(done) + " of " + std::to_string(tids.size()) + " threads before failing)";
    ThrowErrno(env, e, msg);
  }
  if (done == 0) ThrowErrno(env, ESRCH, std::string(what) + " pid " + std::to_string(pid));
  return done;
}

Napi::Value GetPriority(const Napi::CallbackInfo& info) {
  int pid = PidArg(info, 0);
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(pid));
  if (nice == -1 && errno != 0) ThrowErrno(info.Env(), errno, "getpriority pid " + std::to_string(pid));
  return Napi::Number::New(info.Env(), nice);
}

// setPriority(pid, nice) → {previous, threads}: the nice value of every thread of the process.
Napi::Value SetPriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  int nice = static_cast<int>(IntArg(info, 1, "nice", -20, 19));
  errno = 0;
  int previous = getpriority(PRIO_PROCESS, static_cast<id_t>(pid));
  if (previous == -1 && errno != 0) ThrowErrno(env, errno, "getpriority pid " + std::to_string(pid));
  int threads = ForEachThread(env, pid, "setpriority", [&](int tid) { return setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice); });
  Napi::Object out = Napi::Object::New(env);
  out.Set("previous", previous);
  out.Set("threads", threads);
  return out;
}

// ioprio(7): the value packs the class in the top bits and the level (0–7) in the low ones.
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioWhoProcess = 1;
const char* const kIoprioClasses[] = {"none", "realtime", "best-effort", "idle"};

int IoprioClassOf(Napi::Env env, const Napi::Value& v) {
  if (!v.IsString()) ThrowInvalid(env, "class must be one of none, realtime, best-effort, idle");
  std::string s = v.As<Napi::String>().Utf8Value();
  for (int i = 0; i < 4; i++) {
    if (s == kIoprioClasses[i]) return i;
  }
  ThrowInvalid(env, "class must be one of none, realtime, best-effort, idle, not " + s);
}

Napi::Value IoprioGet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  long v = syscall(SYS_ioprio_get, kIoprioWhoProcess, pid);
  if (v < 0) ThrowErrno(env, errno, "ioprio_get pid " + std::to_string(pid));
  int cls = static_cast<int>(v >> kIoprioClassShift);
  Napi::Object out = Napi::Object::New(env);
  out.Set("class", cls >= 0 && cls < 4 ? kIoprioClasses[cls] : "none");
  out.Set("level", static_cast<int>(v & 7));
  return out;
}

// ioprioSet(pid, class, level) → threads changed. Like ionice(1) but for every thread.
Napi::Value IoprioSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  if (info.Length() < 2) ThrowInvalid(env, "class is required");
  int cls = IoprioClassOf(env, info[1]);
  int level = static_cast<int>(IntArg(info, 2, "level", 0, 7));
  // The kernel ignores the level for "none" and "idle"; 0 keeps the stored value canonical.
  if (cls == 0 || cls == 3) level = 0;
  int value = (cls << kIoprioClassShift) | level;
  int threads = ForEachThread(env, pid, "ioprio_set", [&](int tid) {
    return static_cast<int>(syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, value));
  });
  return Napi::Number::New(env, threads);
}

// A cpu_set_t sized for `ncpus`: CPU_ALLOC handles machines with more than 1024 CPUs.
struct CpuSet {
  explicit CpuSet(int ncpus) : count(ncpus), size(CPU_ALLOC_SIZE(ncpus)), set(CPU_ALLOC(ncpus)) { CPU_ZERO_S(size, set); }
  ~CpuSet() { CPU_FREE(set); }
  CpuSet(const CpuSet&) = delete;
  CpuSet& operator=(const CpuSet&) = delete;
  int count;
  size_t size;
  cpu_set_t* set;
};

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  // The kernel refuses (EINVAL) a mask smaller than its own: grow until it fits.
  for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 2) {
    CpuSet cpus(ncpus);
    if (sched_getaffinity(pid, cpus.size, cpus.set) == 0) {
      Napi::Array out = Napi::Array::New(env);
      uint32_t n = 0;
      for (int c = 0; c < ncpus; c++) {
        if (CPU_ISSET_S(c, cpus.size, cpus.set)) out.Set(n++, c);
      }
      return out;
    }
    if (errno != EINVAL) ThrowErrno(env, errno, "sched_getaffinity pid " + std::to_string(pid));
  }
  ThrowErrno(env, EINVAL, "sched_getaffinity pid " + std::to_string(pid));
}

// setAffinity(pid, cpus[]) → threads changed.
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  if (info.Length() < 2 || !info[1].IsArray()) ThrowInvalid(env, "cpus must be an array of CPU numbers");
  Napi::Array arr = info[1].As<Napi::Array>();
  if (arr.Length() == 0) ThrowInvalid(env, "cpus must name at least one CPU");
  std::vector<int> list;
  int maxCpu = 0;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 65535 && d == std::floor(d))) ThrowInvalid(env, "cpus must be integers from 0 to 65535");
    list.push_back(static_cast<int>(d));
    if (list.back() > maxCpu) maxCpu = list.back();
  }
  CpuSet cpus(maxCpu + 1 < 1024 ? 1024 : maxCpu + 1);
  for (int c : list) CPU_SET_S(c, cpus.size, cpus.set);
  int threads = ForEachThread(env, pid, "sched_setaffinity", [&](int tid) { return sched_setaffinity(tid, cpus.size, cpus.set); });
  return Napi::Number::New(env, threads);
}

struct RlimitName {
  const char* name;
  int resource;
};
const RlimitName kRlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

int RlimitOf(Napi::Env env, const Napi::Value& v) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  for (const auto& r : kRlimits) {
    if (s == r.name) return r.resource;
  }
  ThrowInvalid(env, "unknown resource '" + s + "' (as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)");
}

// 'unlimited' or null ↔ RLIM_INFINITY; numbers up to 2^53 (limits beyond that are not meaningful).
rlim_t LimitArg(Napi::Env env, const Napi::Value& v, const char* name) {
  if (v.IsNull() || (v.IsString() && v.As<Napi::String>().Utf8Value() == "unlimited")) return RLIM_INFINITY;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d <= 9007199254740991.0 && d == std::floor(d))) {
    ThrowInvalid(env, std::string(name) + " must be 'unlimited' or an integer from 0 to 9007199254740991");
  }
  return static_cast<rlim_t>(d);
}

Napi::Value LimitValue(Napi::Env env, rlim_t v) {
  if (v == RLIM_INFINITY) return Napi::String::New(env, "unlimited");
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Object LimitPair(Napi::Env env, const struct rlimit& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("soft", LimitValue(env, r.rlim_cur));
  out.Set("hard", LimitValue(env, r.rlim_max));
  return out;
}

// getRlimit(pid, resource) → {soft, hard}
Napi::Value GetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  if (info.Length() < 2) ThrowInvalid(env, "resource is required");
  int res = RlimitOf(env, info[1]);
  struct rlimit old {};
  if (prlimit(pid, static_cast<__rlimit_resource>(res), nullptr, &old) != 0) ThrowErrno(env, errno, "prlimit pid " + std::to_string(pid));
  return LimitPair(env, old);
}

// setRlimit(pid, resource, soft, hard) → the previous {soft, hard}. Limits are per process.
Napi::Value SetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = PidArg(info, 0);
  if (info.Length() < 4) ThrowInvalid(env, "setRlimit(pid, resource, soft, hard)");
  int res = RlimitOf(env, info[1]);
  struct rlimit lim {};
  lim.rlim_cur = LimitArg(env, info[2], "soft");
  lim.rlim_max = LimitArg(env, info[3], "hard");
  if (lim.rlim_cur > lim.rlim_max) ThrowInvalid(env, "the soft limit cannot exceed the hard limit");
  struct rlimit old {};
  if (prlimit(pid, static_cast<__rlimit_resource>(res), &lim, &old) != 0) ThrowErrno(env, errno, "prlimit pid " + std::to_string(pid));
  return LimitPair(env, old);
}

}  // namespace

void InitSignal(Napi::Env env, Napi::Object exports);

void InitControl(Napi::Env env, Napi::Object exports) {
  exports.Set("getPriority", Napi::Function::New(env, GetPriority, "getPriority"));
  exports.Set("setPriority", Napi::Function::New(env, SetPriority, "setPriority"));
  exports.Set("ioprioGet", Napi::Function::New(env, IoprioGet, "ioprioGet"));
  exports.Set("ioprioSet", Napi::Function::New(env, IoprioSet, "ioprioSet"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getRlimit", Napi::Function::New(env, GetRlimit, "getRlimit"));
  exports.Set("setRlimit", Napi::Function::New(env, SetRlimit, "setRlimit"));
  InitSignal(env, exports);
}

}  // namespace vantage::proc
