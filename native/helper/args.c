/* Strict argument parsing and result formatting for vantage-helper. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

int parse_ll(const char *s, long long lo, long long hi, long long *out) {
  const char *p = s;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  if (*p < '0' || *p > '9') return -1;
  if (p[0] == '0' && p[1] != '\0') return -1; /* no leading zeros: "010" is not 8 nor 10 */
  if (neg && p[0] == '0') return -1;          /* no "-0" */
  long long v = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return -1;
    if (v > (9007199254740991LL - (*p - '0')) / 10) return -1; /* beyond 2^53: refuse */
    v = v * 10 + (*p - '0');
  }
  if (neg) v = -v;
  if (v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int parse_target_pid(const char *s, struct result *r, int *pid) {
  long long v;
  if (parse_ll(s, 1, 4194304, &v) != 0) {
    fail_usage(r, "pid must be a decimal number from 2 to 4194304, not '%.32s'", s);
    return -1;
  }
  if (v == 1) {
    fail_usage(r, "refusing to act on PID 1 (init)");
    return -1;
  }
  if (v == (long long)getpid()) {
    fail_usage(r, "refusing to act on vantage-helper itself");
    return -1;
  }
  *pid = (int)v;
  return 0;
}

int parse_cpu_list(const char *s, unsigned char *mask, int max_cpu) {
  int count = 0;
  const char *p = s;
  if (!*p) return -1;
  for (;;) {
    char buf[16];
    size_t n = strcspn(p, ",");
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    long long a, b;
    char *dash = strchr(buf, '-');
    if (dash) {
      *dash = '\0';
      if (parse_ll(buf, 0, max_cpu - 1, &a) != 0 || parse_ll(dash + 1, 0, max_cpu - 1, &b) != 0 || a > b) return -1;
    } else {
      if (parse_ll(buf, 0, max_cpu - 1, &a) != 0) return -1;
      b = a;
    }
    for (long long c = a; c <= b; c++) {
      if (!(mask[c / 8] & (1u << (c % 8)))) count++;
      mask[c / 8] |= (unsigned char)(1u << (c % 8));
    }
    p += n;
    if (!*p) break;
    p++; /* the comma; a trailing comma leaves an empty item, refused above */
  }
  return count;
}

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    default: return "EIO";
  }
}

void fail_errno(struct result *r, int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  r->code = errno_name(err);
  int n = vsnprintf(r->message, sizeof r->message, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof r->message) {
    snprintf(r->message + n, sizeof r->message - (size_t)n, ": %s", strerror(err));
  }
}

void fail_usage(struct result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  r->code = "EINVAL";
  r->usage = 1;
  vsnprintf(r->message, sizeof r->message, fmt, ap);
  va_end(ap);
}

void set_done(struct result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->done, sizeof r->done, fmt, ap);
  va_end(ap);
}
