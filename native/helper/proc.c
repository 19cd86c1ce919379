/* The process verbs of vantage-helper: signal, renice, ioprio, affinity, rlimit, oom-adj. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"
#include "proc_stat.h"

#define MAX_CPUS 8192


/*
 * Applies fn to every thread of pid. Threads that exit meanwhile (ESRCH) are skipped; any other
 * error stops. Returns the number of threads changed, or -1 with errno set.
 */
static int each_thread(int pid, int (*fn)(int tid, const void *arg), const void *arg) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) {
    if (errno == ENOENT) errno = ESRCH;
    return -1;
  }
  int done = 0, err = 0;
  struct dirent *ent;
  while ((ent = readdir(d)) != NULL) {
    if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
    int tid = atoi(ent->d_name);
    if (fn(tid, arg) == 0) {
      done++;
    } else if (errno != ESRCH) {
      err = errno;
      break;
    }
  }
  closedir(d);
  if (err) {
    errno = err;
    return -1;
  }
  if (done == 0) {
    errno = ESRCH;
    return -1;
  }
  return done;
}

void verb_signal(int argc, char **argv, struct result *r) {
  int pid;
  long long sig, expected = -1;
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  if (parse_ll(argv[1], 1, 64, &sig) != 0) { fail_usage(r, "signal must be a number from 1 to 64"); return; }
  if (argc > 2 && parse_ll(argv[2], 0, 9007199254740991LL, &expected) != 0) {
    { fail_usage(r, "start ticks must be a non-negative decimal number"); return; }
  }
  /* Open the pidfd before checking the start time, so the check and the signal name one process. */
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0 && errno != ENOSYS) { fail_errno(r, errno, "pidfd_open %d", pid); return; }
  if (expected >= 0) {
    long long actual = vantage_start_ticks(pid);
    if (actual < 0 || actual != expected) {
      if (fd >= 0) close(fd);
      r->code = "ESRCH";
      snprintf(r->message, sizeof r->message, "process %d exited (PID was reused)", pid);
      return;
    }
  }
  long rc = fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, (int)sig, NULL, 0) : kill(pid, (int)sig);
  int err = errno;
  if (fd >= 0) close(fd);
  if (rc != 0) { fail_errno(r, err, "signal %lld to %d", sig, pid); return; }
  set_done(r, "sent signal %lld to pid %d", sig, pid);
}

static int set_nice(int tid, const void *arg) { return setpriority(PRIO_PROCESS, (id_t)tid, *(const int *)arg); }

void verb_renice(int argc, char **argv, struct result *r) {
  (void)argc;
  int pid;
  long long nice;
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  if (parse_ll(argv[1], -20, 19, &nice) != 0) { fail_usage(r, "nice must be a number from -20 to 19"); return; }
  int n = (int)nice;
  int threads = each_thread(pid, set_nice, &n);
  if (threads < 0) { fail_errno(r, errno, "setpriority %d", pid); return; }
  set_done(r, "set nice %d on %d threads of pid %d", n, threads, pid);
}

static const char *const ioprio_classes[] = {"none", "realtime", "best-effort", "idle"};

static int set_ioprio(int tid, const void *arg) { return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, tid, *(const int *)arg); }

void verb_ioprio(int argc, char **argv, struct result *r) {
  (void)argc;
  int pid, cls = -1;
  long long level;
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  for (int i = 0; i < 4; i++) {
    if (strcmp(argv[1], ioprio_classes[i]) == 0) cls = i;
  }
  if (cls < 0) { fail_usage(r, "class must be none, realtime, best-effort or idle"); return; }
  if (parse_ll(argv[2], 0, 7, &level) != 0) { fail_usage(r, "level must be a number from 0 to 7"); return; }
  if (cls == 0 || cls == 3) level = 0;
  int value = (cls << 13) | (int)level;
  int threads = each_thread(pid, set_ioprio, &value);
  if (threads < 0) { fail_errno(r, errno, "ioprio_set %d", pid); return; }
  set_done(r, "set I/O priority %s/%lld on %d threads of pid %d", ioprio_classes[cls], level, threads, pid);
}

struct cpu_mask {
  size_t size;
  cpu_set_t *set;
};

static int set_affinity(int tid, const void *arg) {
  const struct cpu_mask *m = arg;
  return sched_setaffinity(tid, m->size, m->set);
}

void verb_affinity(int argc, char **argv, struct result *r) {
  (void)argc;
  int pid;
  unsigned char bits[MAX_CPUS / 8] = {0};
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  int count = parse_cpu_list(argv[1], bits, MAX_CPUS);
  if (count <= 0) { fail_usage(r, "CPUs must be a list like 0,2-3 of CPU numbers below %d", MAX_CPUS); return; }
  struct cpu_mask m = {CPU_ALLOC_SIZE(MAX_CPUS), CPU_ALLOC(MAX_CPUS)};
  if (!m.set) { fail_errno(r, ENOMEM, "CPU_ALLOC"); return; }
  CPU_ZERO_S(m.size, m.set);
  for (int c = 0; c < MAX_CPUS; c++) {
    if (bits[c / 8] & (1u << (c % 8))) CPU_SET_S(c, m.size, m.set);
  }
  int threads = each_thread(pid, set_affinity, &m);
  int err = errno;
  CPU_FREE(m.set);
  if (threads < 0) { fail_errno(r, err, "sched_setaffinity %d", pid); return; }
  set_done(r, "set affinity %s on %d threads of pid %d", argv[1], threads, pid);
}

static const struct {
  const char *name;
  int resource;
} rlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},     {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},       {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},         {"rtprio", RLIMIT_RTPRIO},     {"rttime", RLIMIT_RTTIME},
    {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
};

static int parse_limit(const char *s, rlim_t *out) {
  long long v;
  if (strcmp(s, "unlimited") == 0) {
    *out = RLIM_INFINITY;
    return 0;
  }
  if (parse_ll(s, 0, 9007199254740991LL, &v) != 0) return -1;
  *out = (rlim_t)v;
  return 0;
}

void verb_rlimit(int argc, char **argv, struct result *r) {
  (void)argc;
  int pid, resource = -1;
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++) {
    if (strcmp(argv[1], rlimits[i].name) == 0) resource = rlimits[i].resource;
  }
  if (resource < 0) { fail_usage(r, "unknown resource '%.32s'", argv[1]); return; }
  struct rlimit lim;
  if (parse_limit(argv[2], &lim.rlim_cur) != 0 || parse_limit(argv[3], &lim.rlim_max) != 0) {
    { fail_usage(r, "limits must be 'unlimited' or a decimal number"); return; }
  }
  if (lim.rlim_cur > lim.rlim_max) { fail_usage(r, "the soft limit cannot exceed the hard limit"); return; }
  if (prlimit(pid, (__rlimit_resource_t)resource, &lim, NULL) != 0) { fail_errno(r, errno, "prlimit %d", pid); return; }
  set_done(r, "set %s limit %s/%s on pid %d", argv[1], argv[2], argv[3], pid);
}

void verb_oom_adj(int argc, char **argv, struct result *r) {
  (void)argc;
  int pid;
  long long value;
  if (parse_target_pid(argv[0], r, &pid) != 0) return;
  if (parse_ll(argv[1], -1000, 1000, &value) != 0) { fail_usage(r, "oom_score_adj must be a number from -1000 to 1000"); return; }
  char path[64], buf[16];
  snprintf(path, sizeof path, "/proc/%d/oom_score_adj", pid);
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) { fail_errno(r, errno == ENOENT ? ESRCH : errno, "open %s", path); return; }
  int len = snprintf(buf, sizeof buf, "%lld\n", value);
  ssize_t n = write(fd, buf, (size_t)len);
  int err = errno;
  close(fd);
  if (n != len) { fail_errno(r, n < 0 ? err : EIO, "write %s", path); return; }
  set_done(r, "set oom_score_adj %lld on pid %d", value, pid);
}
