/*
 * The fanotify verb of vantage-helper: `fanotify PATH` streams which process opened, modified or
 * closed-after-writing which file on the mount holding PATH, one JSON line per event:
 *   {"ts":MS,"pid":N,"comm":"...","kind":"open|modify|close-write","path":"..."}
 * after a first {"ok":true,"ready":true}. It runs until stdin reaches EOF or is closed (the parent
 * went away) or SIGTERM, then exits 0. Events of the helper itself are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The actor's name, read as soon as its event arrives (it may exit at any moment). */
static void comm_of(int pid, char *out, size_t size) {
  char path[64];
  out[0] = '\0';
  snprintf(path, sizeof path, "/proc/%d/comm", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, out, size - 1);
  close(fd);
  if (n <= 0) n = 0;
  out[n] = '\0';
  char *nl = strchr(out, '\n');
  if (nl) *nl = '\0';
}

/* One event line; the caller flushes. */
static void print_event(long long ts, int pid, const char *comm, const char *kind, const char *path) {
  printf("{\"ts\":%lld,\"pid\":%d,\"comm\":", ts, pid);
  print_json_string(comm);
  printf(",\"kind\":\"%s\",\"path\":", kind);
  print_json_string(path);
  fputs("}\n", stdout);
}

/* Reads what the kernel has queued; -1 when stdout is gone (nobody to tell any more). */
static int drain(int fan, int self) {
  static char buf[64 * 1024] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
  for (;;) {
    ssize_t n = read(fan, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return 0; /* a transient read error (ENOENT etc. for a vanished file): keep going */
    }
    if (n == 0) break;
    long long ts = now_ms();
    const struct fanotify_event_metadata *m = (const struct fanotify_event_metadata *)buf;
    for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
      if (m->vers != FANOTIFY_METADATA_VERSION) return -1;
      if (m->mask & FAN_Q_OVERFLOW) {
        print_event(ts, 0, "", "overflow", "");
      } else if (m->fd >= 0 && m->pid != self) {
        char link[64], target[PATH_MAX], comm[64];
        comm_of(m->pid, comm, sizeof comm);
        snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
          target[len] = '\0';
          const char *kind = (m->mask & FAN_CLOSE_WRITE) ? "close-write" : (m->mask & FAN_MODIFY) ? "modify" : "open";
          print_event(ts, (int)m->pid, comm, kind, target);
        }
      }
      if (m->fd >= 0) close(m->fd);
    }
    if (fflush(stdout) != 0) return -1;
    if ((size_t)n < sizeof buf / 2) break; /* most likely all there was; poll says when more comes */
  }
  return 0;
}

void verb_fanotify(int argc, char **argv, struct result *r) {
  (void)argc;
  const char *path = argv[0];
  struct stat st;
  if (path[0] != '/') {
    fail_usage(r, "the path must be absolute, not '%.64s'", path);
    return;
  }
  if (strlen(path) >= PATH_MAX) {
    fail_usage(r, "the path is too long");
    return;
  }
  if (stat(path, &st) != 0) {
    fail_errno(r, errno, "cannot watch %.200s", path);
    return;
  }
  /* SIGTERM arrives as a readable fd, so the loop ends cleanly; a vanished reader must not kill us. */
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  sigprocmask(SIG_BLOCK, &term, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    fail_errno(r, errno, "signalfd");
    return;
  }
  int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fan < 0) {
    fail_errno(r, errno, "fanotify_init");
    close(sfd);
    return;
  }
  if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE, AT_FDCWD, path) != 0) {
    fail_errno(r, errno, "fanotify_mark on the mount of %.200s", path);
    close(fan);
    close(sfd);
    return;
  }
  syslog(LOG_NOTICE, "uid %d fanotify: watching file access on the mount of %s", (int)getuid(), path);
  fputs("{\"ok\":true,\"ready\":true}\n", stdout);
  fflush(stdout);

  int self = (int)getpid();
  struct pollfd fds[3] = {{fan, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
  const char *why = "stdin closed";
  for (;;) {
    int n = poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      why = "poll failed";
      break;
    }
    if (fds[0].revents & POLLIN) {
      if (drain(fan, self) != 0) {
        why = "stdout closed";
        break;
      }
    }
    if (fds[2].revents) {
      why = "SIGTERM";
      break;
    }
    if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) break;
    if (fds[1].revents & POLLIN) {
      char junk[256];
      ssize_t got = read(STDIN_FILENO, junk, sizeof junk);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) break; /* EOF: the parent is done */
    }
  }
  close(fan);
  close(sfd);
  r->streamed = 1;
  set_done(r, "stopped watching the mount of %.200s (%s)", path, why);
}
