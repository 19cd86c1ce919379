// Batch reader of /proc: every process in one call, as column arrays.
//
// Per process: stat (ids, state, times, memory, tty, flags), schedstat (did it run?), status
// (euid, context switches, VmSwap), io (storage bytes; EACCES for other users' processes when
// unprivileged → -1), cmdline, cgroup and wchan. Files stay open between calls and are re-read
// with pread (see Entry below); statm is not read: stat carries the same vsize and rss counters.
// Processes that vanish mid-read are skipped. Text columns cross as one NUL-separated string each
// (split in JavaScript), several times cheaper than one napi_set_element per cell.
//
// Also: every thread of one process (readThreads), getpwuid_r (userName), ioprio_get
// (readIoPriority) and sched_getaffinity (readAffinity) for the details view.
#include <dirent.h>
#include <pwd.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "proc.h"
#include "read_files.h"

namespace vantage::proc {
namespace {

constexpr unsigned kPfKthread = 0x00200000;

struct ProcessColumns {
  std::vector<int32_t> pid, ppid, uid, threads, nice, priority, tty;
  std::vector<uint8_t> state, kernel;
  std::vector<double> rss, vsz, swap, cpu, start, readBytes, writeBytes, ctx;
  std::string comm, cmdline, cgroup, wchan;
  size_t count = 0;

  void Clear() {
    for (auto* v : {&pid, &ppid, &uid, &threads, &nice, &priority, &tty}) v->clear();
    state.clear();
    kernel.clear();
    for (auto* v : {&rss, &vsz, &swap, &cpu, &start, &readBytes, &writeBytes, &ctx}) v->clear();
    comm.clear();
    cmdline.clear();
    cgroup.clear();
    wchan.clear();
    count = 0;
  }
};

// The fields of /proc/PID/stat (or task/TID/stat) the tables use.
struct Stat {
  std::string_view comm;
  char state = '?';
  int32_t ppid = 0, tty = 0, priority = 0, nice = 0, threads = 0, processor = 0;
  unsigned flags = 0;
  double cpuTicks = 0, startTicks = 0, vsize = 0, rssPages = 0;
};

bool ParseStat(const char* b, size_t len, Stat& s) {
  const char* end = b + len;
  const char* open = static_cast<const char*>(memchr(b, '(', len));
  const char* close = nullptr;
  for (const char* q = end - 1; q > b; q--) {
    if (*q == ')') {
      close = q;
      break;
    }
  }
  if (!open || !close || close < open || close + 2 >= end) return false;
  s.comm = std::string_view(open + 1, close - open - 1);
  const char* p = close + 2;
  s.state = *p++;                                    // 3
  s.ppid = static_cast<int32_t>(ParseInt(p, end));   // 4
  SkipFields(p, end, 2);                             // 5 pgrp, 6 session
  s.tty = static_cast<int32_t>(ParseInt(p, end));    // 7
  SkipFields(p, end, 1);                             // 8 tpgid
  s.flags = static_cast<unsigned>(ParseInt(p, end)); // 9
  SkipFields(p, end, 4);                             // 10-13 faults
  double utime = static_cast<double>(ParseInt(p, end));
  double stime = static_cast<double>(ParseInt(p, end));
  s.cpuTicks = utime + stime;                        // 14 + 15
  SkipFields(p, end, 2);                             // 16 cutime, 17 cstime
  s.priority = static_cast<int32_t>(ParseInt(p, end));  // 18
  s.nice = static_cast<int32_t>(ParseInt(p, end));      // 19
  s.threads = static_cast<int32_t>(ParseInt(p, end));   // 20
  SkipFields(p, end, 1);                                // 21 itrealvalue
  s.startTicks = static_cast<double>(ParseInt(p, end)); // 22
  s.vsize = static_cast<double>(ParseInt(p, end));      // 23
  s.rssPages = static_cast<double>(ParseInt(p, end));   // 24
  SkipFields(p, end, 14);                               // 25-38
  s.processor = static_cast<int32_t>(ParseInt(p, end)); // 39
  return true;
}

struct Status {
  int32_t uid = -1;
  double voluntary = 0, involuntary = 0, swapBytes = 0;
};

inline bool StartsWith(const char* p, const char* end, const char* lit, size_t n) {
  return static_cast<size_t>(end - p) >= n && memcmp(p, lit, n) == 0;
}

void ParseStatus(const char* b, size_t len, Status& s) {
  const char* end = b + len;
  const char* p = b;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    const char* le = nl ? nl : end;
    switch (*p) {
      case 'U':
        if (StartsWith(p, le, "Uid:", 4)) {
          const char* q = p + 4;
          ParseInt(q, le);  // real
          s.uid = static_cast<int32_t>(ParseInt(q, le));  // effective, as ps -o user
        }
        break;
      case 'V':
        if (StartsWith(p, le, "VmSwap:", 7)) {
          const char* q = p + 7;
          s.swapBytes = static_cast<double>(ParseInt(q, le)) * 1024;
        }
        break;
      case 'v':
        if (StartsWith(p, le, "voluntary_ctxt_switches:", 24)) {
          const char* q = p + 24;
          s.voluntary = static_cast<double>(ParseInt(q, le));
        }
        break;
      case 'n':
        if (StartsWith(p, le, "nonvoluntary_ctxt_switches:", 27)) {
          const char* q = p + 27;
          s.involuntary = static_cast<double>(ParseInt(q, le));
        }
        break;
      default:
        break;
    }
    p = le + 1;
  }
}

void ParseIo(const char* b, size_t len, double& readBytes, double& writeBytes) {
  const char* end = b + len;
  const char* p = b;
  readBytes = writeBytes = -1;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    const char* le = nl ? nl : end;
    if (StartsWith(p, le, "read_bytes:", 11)) {
      const char* q = p + 11;
      readBytes = static_cast<double>(ParseInt(q, le));
    } else if (StartsWith(p, le, "write_bytes:", 12)) {
      const char* q = p + 12;
      writeBytes = static_cast<double>(ParseInt(q, le));
    }
    p = le + 1;
  }
}

// Unified (v2) path, or on a hybrid system the v1 memory/cpu hierarchy's.
std::string_view PickCgroup(const char* b, size_t len) {
  const char* end = b + len;
  const char* p = b;
  std::string_view unified, v1;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    const char* le = nl ? nl : end;
    const char* c1 = static_cast<const char*>(memchr(p, ':', le - p));
    const char* c2 = c1 ? static_cast<const char*>(memchr(c1 + 1, ':', le - c1 - 1)) : nullptr;
    if (c2) {
      std::string_view controllers(c1 + 1, c2 - c1 - 1);
      std::string_view path(c2 + 1, le - c2 - 1);
      if (controllers.empty() && p[0] == '0' && c1 == p + 1) {
        unified = path;
      } else if (v1.empty()) {
        size_t pos = 0;
        while (pos <= controllers.size()) {
          size_t comma = controllers.find(',', pos);
          std::string_view one = controllers.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
          if (one == "memory" || one == "cpu") {
            v1 = path;
            break;
          }
          if (comma == std::string_view::npos) break;
          pos = comma + 1;
        }
      }
    }
    p = le + 1;
  }
  return v1.empty() ? unified : v1;
}

// Appends a cmdline with its NUL separators as spaces (trailing NULs dropped).
void AppendCmdline(std::string& out, const char* b, size_t len) {
  while (len > 0 && b[len - 1] == '\0') len--;
  size_t at = out.size();
  out.append(b, len);
  for (size_t i = at; i < out.size(); i++) {
    if (out[i] == '\0') out[i] = ' ';
  }
}

void AppendWchan(std::string& out, const char* b, ssize_t len) {
  if (len > 0 && !(len == 1 && b[0] == '0')) out.append(b, static_cast<size_t>(len));
}

template <typename T, typename Arr>
Arr MakeTyped(Napi::Env env, const std::vector<T>& v) {
  Arr a = Arr::New(env, v.size());
  if (!v.empty()) memcpy(a.Data(), v.data(), v.size() * sizeof(T));
  return a;
}

Napi::Value Int32(Napi::Env env, const std::vector<int32_t>& v) { return MakeTyped<int32_t, Napi::Int32Array>(env, v); }
Napi::Value Float64(Napi::Env env, const std::vector<double>& v) { return MakeTyped<double, Napi::Float64Array>(env, v); }
Napi::Value Uint8(Napi::Env env, const std::vector<uint8_t>& v) { return MakeTyped<uint8_t, Napi::Uint8Array>(env, v); }

// What is kept per process between reads. Opening a /proc file costs several times more than
// reading it (path walk, pid lookup, file allocation), so each process's files stay open and are
// re-read with pread at offset 0, which regenerates them. An fd pins the process it was opened
// for: once that process exits, reads fail with ESRCH and the entry starts afresh.
//
// Most processes sleep through most ticks, and what a process has not done cannot have changed.
// /proc/PID/schedstat (a few bytes, cheap) has the leader task's run time and how often it was
// scheduled in; when both, the state (not R now or before) and RSS are unchanged, a process that
// was single-threaded then and now did not run since, so its status (uid, context switches,
// swap), io counters, cmdline and wchan are what they were. Those are then reused instead of
// re-read: the idle case costs stat + schedstat. Multi-threaded processes re-read everything but wchan (the leader's,
// covered by the same test). cgroup membership can be changed by another process, so idle
// processes still re-read it every kCgroupEvery ticks (spread over ticks by pid).
constexpr uint32_t kCgroupEvery = 8;
// stat is the dearest file (the kernel walks the mm for it). A process found idle last time whose
// schedstat shows it still has not run keeps its stat values, except on one tick in kStatEvery
// (spread by pid): what can change while a process sleeps (nice set by another process, parent
// after reparenting, RSS after reclaim) is then at most kStatEvery − 1 ticks old. refreshProcess
// makes the next read take everything afresh (called after Vantage itself changes a process).
constexpr uint32_t kStatEvery = 4;
// Idle reads after which a process's files other than stat and schedstat are closed.
constexpr uint32_t kCloseIdleAfter = 30;
enum { kStat, kStatus, kIo, kCmdline, kCgroup, kSchedstat, kWchan, kFileCount };
const char* const kFileNames[kFileCount] = {"stat", "status", "io", "cmdline", "cgroup", "schedstat", "wchan"};

struct Entry {
  int fds[kFileCount] = {-1, -1, -1, -1, -1, -1, -1};
  bool cached = false;
  uint32_t seen = 0;
  double startTicks = -1;
  // Previous read, for the "did not run" test.
  char prevState = 0;
  double prevRss = -1, prevPcount = -1, prevRuntime = -1;
  int32_t prevThreads = 0;
  // Consecutive reads that found the process active / idle: only processes that keep running
  // keep their other files open (so a machine of sleepers costs two fds per process, not seven).
  uint32_t activeRun = 0, idleRun = 0;
  // Values reused while the process does not run.
  bool lastIdle = false;
  bool forceRead = false;
  Stat stat;
  std::string comm;
  Status status;
  double readBytes = -1, writeBytes = -1;
  bool ioDenied = false;
  uint32_t ioRetryAt = 0;
  std::string cmdline, cgroup, wchan;
};

std::mutex gMutex;
ProcessColumns gCols;
std::string gBuf;
long gPageSize = 4096;
std::unordered_map<int32_t, Entry> gEntries;
uint32_t gGeneration = 0;
size_t gKeptFds = 0;
size_t gFdBudget = 0;

void CloseEntry(Entry& e) {
  for (int& fd : e.fds) {
    if (fd >= 0) {
      close(fd);
      gKeptFds--;
      fd = -1;
    }
  }
}

// Reads a whole file from an fd kept open, from offset 0.
ssize_t PreadAll(int fd, std::string& buf) {
  if (buf.size() < 4096) buf.resize(4096);
  size_t len = 0;
  for (;;) {
    if (len == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = pread(fd, buf.data() + len, buf.size() - len, static_cast<off_t>(len));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
    if (len < buf.size() && len < 3072) break;
  }
  return static_cast<ssize_t>(len);
}

// One file of an entry: through its kept fd, else opened and (when `keep` and within the fd
// budget) kept for the next read.
ssize_t ReadEntryFile(Entry& e, int which, int dirfd, std::string& buf, bool keep = true) {
  if (e.fds[which] >= 0) return PreadAll(e.fds[which], buf);
  if (dirfd < 0) return -1;
  if (keep && gKeptFds < gFdBudget) {
    int fd = openat(dirfd, kFileNames[which], O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return -1;
    e.fds[which] = fd;
    gKeptFds++;
    return PreadAll(fd, buf);
  }
  return ReadAt(dirfd, kFileNames[which], buf);
}

bool IsPid(const char* name) {
  if (!*name) return false;
  for (const char* c = name; *c; c++) {
    if (*c < '0' || *c > '9') return false;
  }
  return true;
}

// One row of the columns from a process's stat and the values kept in its entry.
void Append(ProcessColumns& c, int32_t pid, const Entry& e, const Stat& st, double rss) {
  const bool kthread = (st.flags & kPfKthread) != 0;
  c.comm.append(st.comm);
  c.comm.push_back('\0');
  c.cmdline.append(e.cmdline);
  c.cmdline.push_back('\0');
  c.cgroup.append(e.cgroup);
  c.cgroup.push_back('\0');
  c.wchan.append(e.wchan);
  c.wchan.push_back('\0');
  c.pid.push_back(pid);
  c.ppid.push_back(st.ppid);
  c.uid.push_back(e.status.uid);
  c.state.push_back(static_cast<uint8_t>(st.state));
  c.kernel.push_back(kthread ? 1 : 0);
  c.threads.push_back(st.threads);
  c.nice.push_back(st.nice);
  c.priority.push_back(st.priority);
  c.tty.push_back(st.tty);
  c.rss.push_back(rss);
  c.vsz.push_back(st.vsize);
  c.swap.push_back(e.status.swapBytes);
  c.cpu.push_back(st.cpuTicks);
  c.start.push_back(st.startTicks);
  c.readBytes.push_back(e.readBytes);
  c.writeBytes.push_back(e.writeBytes);
  c.ctx.push_back(e.status.voluntary + e.status.involuntary);
  c.count++;
}

// Reads one process into the columns; false when it vanished (nothing is appended then).
bool ReadOne(int procfd, const char* name, int32_t pid, Entry& e, ProcessColumns& c, std::string& buf) {
  // The /proc/PID directory is opened only when some file is not kept open.
  int dirfd = -1;
  auto dir = [&](int which) {
    if (e.fds[which] >= 0) return -1;
    if (dirfd < 0) dirfd = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return dirfd;
  };
  auto done = [&](bool ok) {
    if (dirfd >= 0) close(dirfd);
    return ok;
  };

  if (e.cached && e.lastIdle && !e.forceRead && e.fds[kSchedstat] >= 0 &&
      (static_cast<uint32_t>(pid) + gGeneration) % kStatEvery != 0) {
    ssize_t m = PreadAll(e.fds[kSchedstat], buf);
    if (m > 0) {
      const char* p = buf.data();
      const char* end = p + m;
      const double runtime = static_cast<double>(ParseInt(p, end));
      ParseInt(p, end);
      const double pcount = static_cast<double>(ParseInt(p, end));
      if (runtime == e.prevRuntime && pcount == e.prevPcount) {
        if ((static_cast<uint32_t>(pid) + gGeneration) % kCgroupEvery == 0) {
          m = ReadEntryFile(e, kCgroup, dir(kCgroup), buf, false);
          e.cgroup = m > 0 ? std::string(PickCgroup(buf.data(), static_cast<size_t>(m))) : std::string();
        }
        Stat st = e.stat;
        st.comm = e.comm;
        Append(c, pid, e, st, e.prevRss);
        return done(true);
      }
    }
    // It ran, or its schedstat is gone (exited: the kept fd pins the old process): read in full.
  }
  e.forceRead = false;

  Stat st;
  ssize_t n = ReadEntryFile(e, kStat, dir(kStat), buf);
  if (n <= 0 && e.cached) {
    // The process this entry was opened for has gone; the pid may name a new one now.
    CloseEntry(e);
    e = Entry();
    n = ReadEntryFile(e, kStat, dir(kStat), buf);
  }
  if (n <= 0 || !ParseStat(buf.data(), static_cast<size_t>(n), st)) return done(false);
  if (e.cached && st.startTicks != e.startTicks) {
    // Read per call (over the fd budget) and the pid was reused: start afresh.
    CloseEntry(e);
    e = Entry();
  }
  e.startTicks = st.startTicks;
  const bool kthread = (st.flags & kPfKthread) != 0;
  const std::string comm(st.comm);
  const double rss = st.rssPages * static_cast<double>(gPageSize);

  // schedstat: "run_ns wait_ns timeslices"; missing without CONFIG_SCHED_INFO (then never idle).
  double runtime = -1, pcount = -1;
  n = ReadEntryFile(e, kSchedstat, dir(kSchedstat), buf);
  if (n > 0) {
    const char* p = buf.data();
    const char* end = p + n;
    runtime = static_cast<double>(ParseInt(p, end));
    ParseInt(p, end);
    pcount = static_cast<double>(ParseInt(p, end));
  }
  const bool leaderIdle = e.cached && pcount >= 0 && pcount == e.prevPcount && runtime == e.prevRuntime &&
                          st.state != 'R' && e.prevState != 'R';
  // Single-threaded now and at the previous read: a thread that ran and exited in between would
  // not show in the leader's schedstat, but its I/O would show in io.
  const bool idle = leaderIdle && st.threads == 1 && e.prevThreads == 1 && rss == e.prevRss;
  if (idle) {
    e.activeRun = 0;
    if (++e.idleRun == kCloseIdleAfter) {
      for (int which : {kStatus, kIo, kCmdline, kCgroup, kWchan}) {
        if (e.fds[which] >= 0) {
          close(e.fds[which]);
          e.fds[which] = -1;
          gKeptFds--;
        }
      }
    }
  } else {
    e.idleRun = 0;
    e.activeRun++;
  }
  // Multi-threaded processes are never idle by this test; others once they were active twice.
  const bool keep = st.threads > 1 || e.activeRun >= 2;

  if (!idle) {
    n = ReadEntryFile(e, kStatus, dir(kStatus), buf, keep);
    if (n <= 0) return done(false);
    e.status = Status();
    ParseStatus(buf.data(), static_cast<size_t>(n), e.status);
    if (!e.ioDenied || gGeneration >= e.ioRetryAt) {
      n = ReadEntryFile(e, kIo, dir(kIo), buf, keep);
      if (n > 0) {
        ParseIo(buf.data(), static_cast<size_t>(n), e.readBytes, e.writeBytes);
        e.ioDenied = false;
      } else if (n < 0 && (errno == EACCES || errno == EPERM)) {
        // Another user's process: permission is re-checked now and then (setuid can change it).
        e.ioDenied = true;
        e.ioRetryAt = gGeneration + 30;
        e.readBytes = e.writeBytes = -1;
      }
    }
    if (!kthread) {
      n = ReadEntryFile(e, kCmdline, dir(kCmdline), buf, keep);
      if (n < 0) return done(false);
      e.cmdline.clear();
      AppendCmdline(e.cmdline, buf.data(), static_cast<size_t>(n));
    }
  }
  if (!idle || (static_cast<uint32_t>(pid) + gGeneration) % kCgroupEvery == 0) {
    n = ReadEntryFile(e, kCgroup, dir(kCgroup), buf, keep);
    e.cgroup = n > 0 ? std::string(PickCgroup(buf.data(), static_cast<size_t>(n))) : std::string();
  }
  if (!leaderIdle) {
    e.wchan.clear();
    n = ReadEntryFile(e, kWchan, dir(kWchan), buf, keep);
    AppendWchan(e.wchan, buf.data(), n);
  }
  e.lastIdle = idle;
  // st.comm points into buf, which the reads since have overwritten: keep the copy taken first.
  e.comm = comm;
  st.comm = e.comm;
  e.stat = st;
  e.prevState = st.state;
  e.prevThreads = st.threads;
  e.prevRss = rss;
  e.prevPcount = pcount;
  e.prevRuntime = runtime;
  e.cached = true;

  Append(c, pid, e, st, rss);
  return done(true);
}

// The joined text column, without the final separator (so split gives exactly count items).
Napi::String Joined(Napi::Env env, const std::string& s) {
  size_t len = s.empty() ? 0 : s.size() - 1;
  return Napi::String::New(env, s.data(), len);
}

Napi::Value ReadProcesses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(gMutex);
  int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0) throw Napi::Error::New(env, std::string("cannot open /proc: ") + strerror(errno));
  DIR* dir = fdopendir(dup(procfd));
  if (!dir) {
    close(procfd);
    throw Napi::Error::New(env, std::string("cannot list /proc: ") + strerror(errno));
  }
  gGeneration++;
  ProcessColumns& c = gCols;
  c.Clear();
  while (dirent* d = readdir(dir)) {
    if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN) continue;
    if (!IsPid(d->d_name)) continue;
    int32_t pid = static_cast<int32_t>(strtol(d->d_name, nullptr, 10));
    Entry& e = gEntries[pid];
    e.seen = gGeneration;
    // A process that vanished mid-read is simply left out (ReadOne appends only whole rows).
    ReadOne(procfd, d->d_name, pid, e, c, gBuf);
  }
  closedir(dir);
  close(procfd);
  // Forget processes that are gone (and close what was kept open for them).
  for (auto it = gEntries.begin(); it != gEntries.end();) {
    if (it->second.seen != gGeneration || !it->second.cached) {
      CloseEntry(it->second);
      it = gEntries.erase(it);
    } else {
      ++it;
    }
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, static_cast<double>(c.count)));
  out.Set("pid", Int32(env, c.pid));
  out.Set("ppid", Int32(env, c.ppid));
  out.Set("uid", Int32(env, c.uid));
  out.Set("state", Uint8(env, c.state));
  out.Set("kernel", Uint8(env, c.kernel));
  out.Set("threads", Int32(env, c.threads));
  out.Set("nice", Int32(env, c.nice));
  out.Set("priority", Int32(env, c.priority));
  out.Set("ttyNr", Int32(env, c.tty));
  out.Set("rssBytes", Float64(env, c.rss));
  out.Set("vszBytes", Float64(env, c.vsz));
  out.Set("swapBytes", Float64(env, c.swap));
  out.Set("cpuTicks", Float64(env, c.cpu));
  out.Set("startTicks", Float64(env, c.start));
  out.Set("readBytes", Float64(env, c.readBytes));
  out.Set("writeBytes", Float64(env, c.writeBytes));
  out.Set("ctxSwitches", Float64(env, c.ctx));
  out.Set("comm", Joined(env, c.comm));
  out.Set("cmdline", Joined(env, c.cmdline));
  out.Set("cgroup", Joined(env, c.cgroup));
  out.Set("wchan", Joined(env, c.wchan));
  out.Set("keptFds", Napi::Number::New(env, static_cast<double>(gKeptFds)));
  return out;
}

// Closes every file kept open between reads (the collector calls it when nobody has listened
// for a while); the next read reopens what it needs.
Napi::Value ReleaseProcesses(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(gMutex);
  for (auto& [pid, e] : gEntries) CloseEntry(e);
  gEntries.clear();
  return info.Env().Undefined();
}

// refreshProcess(pid): the next readProcesses reads this process in full (its kept values may be
// stale after Vantage changed it: nice, limits, affinity).
Napi::Value RefreshProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "refreshProcess(pid: number)");
  std::lock_guard<std::mutex> lock(gMutex);
  auto it = gEntries.find(info[0].As<Napi::Number>().Int32Value());
  if (it != gEntries.end()) it->second.forceRead = true;
  return env.Undefined();
}

// Every thread of one process: task/TID/{stat,status,wchan}. null when the process is gone.
Napi::Value ReadThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "readThreads(pid: number)");
  int pid = info[0].As<Napi::Number>().Int32Value();
  std::string path = "/proc/" + std::to_string(pid) + "/task";
  int taskfd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (taskfd < 0) return env.Null();
  DIR* dir = fdopendir(dup(taskfd));
  if (!dir) {
    close(taskfd);
    return env.Null();
  }
  std::vector<int32_t> tid, nice, priority, processor;
  std::vector<uint8_t> state;
  std::vector<double> cpu, start, vol, invol;
  std::string comm, wchan, buf;
  while (dirent* e = readdir(dir)) {
    if (!IsPid(e->d_name)) continue;
    int dfd = openat(taskfd, e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) continue;
    Stat st;
    Status status;
    ssize_t n = ReadAt(dfd, "stat", buf);
    if (n <= 0 || !ParseStat(buf.data(), static_cast<size_t>(n), st)) {
      close(dfd);
      continue;
    }
    std::string name(st.comm);
    n = ReadAt(dfd, "status", buf);
    if (n <= 0) {
      close(dfd);
      continue;
    }
    ParseStatus(buf.data(), static_cast<size_t>(n), status);
    n = ReadAt(dfd, "wchan", buf);
    close(dfd);
    comm.append(name);
    comm.push_back('\0');
    AppendWchan(wchan, buf.data(), n);
    wchan.push_back('\0');
    tid.push_back(static_cast<int32_t>(strtol(e->d_name, nullptr, 10)));
    state.push_back(static_cast<uint8_t>(st.state));
    nice.push_back(st.nice);
    priority.push_back(st.priority);
    processor.push_back(st.processor);
    cpu.push_back(st.cpuTicks);
    start.push_back(st.startTicks);
    vol.push_back(status.voluntary);
    invol.push_back(status.involuntary);
  }
  closedir(dir);
  close(taskfd);
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, static_cast<double>(tid.size())));
  out.Set("tid", Int32(env, tid));
  out.Set("state", Uint8(env, state));
  out.Set("nice", Int32(env, nice));
  out.Set("priority", Int32(env, priority));
  out.Set("processor", Int32(env, processor));
  out.Set("cpuTicks", Float64(env, cpu));
  out.Set("startTicks", Float64(env, start));
  out.Set("voluntary", Float64(env, vol));
  out.Set("involuntary", Float64(env, invol));
  out.Set("comm", Joined(env, comm));
  out.Set("wchan", Joined(env, wchan));
  return out;
}

// getpwuid_r: the user name of a uid (NSS included), or the number when it has no name.
Napi::Value UserName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "userName(uid: number)");
  uid_t uid = static_cast<uid_t>(info[0].As<Napi::Number>().Uint32Value());
  passwd pw{};
  passwd* result = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result) return Napi::String::New(env, pw.pw_name);
  return Napi::String::New(env, std::to_string(uid));
}

Napi::Error ErrnoError(Napi::Env env, int e, const std::string& what) {
  Napi::Error err = Napi::Error::New(env, std::string(ErrnoName(e)) + ": " + what + ": " + strerror(e));
  err.Set("code", Napi::String::New(env, ErrnoName(e)));
  return err;
}

constexpr int kIoprioWhoProcess = 1;

// ioprio_get for one process: the raw value (class << 13 | level).
Napi::Value ReadIoPriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "readIoPriority(pid: number)");
  int pid = info[0].As<Napi::Number>().Int32Value();
  long v = syscall(SYS_ioprio_get, kIoprioWhoProcess, pid);
  if (v < 0) throw ErrnoError(env, errno, "ioprio_get(" + std::to_string(pid) + ")");
  return Napi::Number::New(env, static_cast<double>(v));
}

// sched_getaffinity: the CPUs a process may run on.
Napi::Value ReadAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "readAffinity(pid: number)");
  int pid = info[0].As<Napi::Number>().Int32Value();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof(set), &set) != 0) throw ErrnoError(env, errno, "sched_getaffinity(" + std::to_string(pid) + ")");
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(k++, Napi::Number::New(env, cpu));
  }
  return out;
}

}  // namespace

void InitReader(Napi::Env env, Napi::Object exports) {
  gPageSize = sysconf(_SC_PAGESIZE);
  // Keep at most half of the soft open-files limit for kept /proc files (Node raises the
  // soft limit to the hard one at startup; typical hard limits are 2^19 or 2^20), leaving the
  // rest to the app; over budget, files are opened per read.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rlim_t soft = rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : rl.rlim_cur;
    gFdBudget = soft > 4096 ? std::min<rlim_t>(soft / 2, 65536) : 0;
  }
  exports.Set("releaseProcesses", Napi::Function::New(env, ReleaseProcesses, "releaseProcesses"));
  exports.Set("refreshProcess", Napi::Function::New(env, RefreshProcess, "refreshProcess"));
  exports.Set("readProcesses", Napi::Function::New(env, ReadProcesses, "readProcesses"));
  exports.Set("readThreads", Napi::Function::New(env, ReadThreads, "readThreads"));
  exports.Set("userName", Napi::Function::New(env, UserName, "userName"));
  exports.Set("readIoPriority", Napi::Function::New(env, ReadIoPriority, "readIoPriority"));
  exports.Set("readAffinity", Napi::Function::New(env, ReadAffinity, "readAffinity"));
  exports.Set("clockTicks", Napi::Number::New(env, static_cast<double>(sysconf(_SC_CLK_TCK))));
  exports.Set("pageSize", Napi::Number::New(env, static_cast<double>(gPageSize)));
}

}  // namespace vantage::proc
