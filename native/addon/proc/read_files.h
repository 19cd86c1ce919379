// Small helpers for reading /proc files: one reusable buffer, openat on a directory fd, and
// integer parsing without locale or allocation.
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace vantage::proc {

// Reads a whole file relative to dirfd into buf (reused between calls, grown as needed).
// Returns the length, or -1 with errno set.
inline ssize_t ReadAt(int dirfd, const char* name, std::string& buf) {
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  if (buf.size() < 4096) buf.resize(4096);
  size_t len = 0;
  for (;;) {
    if (len == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = read(fd, buf.data() + len, buf.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
    // /proc files that fit in one read return short; a second read would only say EOF. Small
    // files (stat, status, io, wchan) always fit in the first 4 KiB, so stop early to save a syscall.
    if (len < buf.size() && len < 3072) break;
  }
  close(fd);
  return static_cast<ssize_t>(len);
}

// Parses a signed decimal at p (skipping leading spaces), advancing p past it.
inline int64_t ParseInt(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    p++;
  }
  int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  return neg ? -v : v;
}

// Skips n space-separated fields.
inline void SkipFields(const char*& p, const char* end, int n) {
  for (int i = 0; i < n; i++) {
    while (p < end && *p == ' ') p++;
    while (p < end && *p != ' ') p++;
  }
}

// The errno's symbolic name, so JavaScript callers get err.code like Node's own errors.
inline const char* ErrnoName(int e) {
  switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    default: return "EIO";
  }
}

}  // namespace vantage::proc
