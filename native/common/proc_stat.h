/*
 * Shared by the addon (C++) and vantage-helper (C): reading a process's start time, which is what
 * tells a live process from a recycled PID, and the pidfd syscall numbers older libc headers lack.
 */
#ifndef VANTAGE_PROC_STAT_H
#define VANTAGE_PROC_STAT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Field 22 of /proc/PID/stat (start time in clock ticks after boot), or -1 with errno set. */
static inline long long vantage_start_ticks(int pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) errno = ESRCH;
    return -1;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int saved = errno;
  close(fd);
  if (n <= 0) {
    errno = n == 0 ? ESRCH : saved;
    return -1;
  }
  buf[n] = '\0';
  /* comm may hold spaces and parentheses: fields restart after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) {
    errno = EIO;
    return -1;
  }
  p++;
  for (int field = 3; field < 22; field++) {
    while (*p == ' ') p++;
    while (*p && *p != ' ') p++;
  }
  while (*p == ' ') p++;
  if (*p < '0' || *p > '9') {
    errno = EIO;
    return -1;
  }
  return strtoll(p, NULL, 10);
}

#endif
