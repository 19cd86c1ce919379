/*
 * vantage-helper: the only privileged code in Vantage. One request per run (argv: verb + args),
 * answered with one JSON line on stdout. Every verb is in the table in main.c; every argument is
 * parsed strictly here before anything acts. No shell, no environment lookups, no files but /proc.
 * The one exception to "one line": a streaming verb (fanotify) prints a ready line, then one line per
 * event until its stdin closes.
 */
#ifndef VANTAGE_HELPER_H
#define VANTAGE_HELPER_H

#include <stddef.h>

/* Exit codes: 0 done, 1 the action failed (the kernel refused, the process is gone), 2 usage. */
enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/*
 * A verb's result. code is NULL on success; otherwise an errno name (EPERM, ESRCH, EINVAL) and
 * message says what failed. usage marks bad arguments (exit 2) rather than a failed action.
 */
struct result {
  const char *code;
  char message[256];
  int usage;
  /* What was done, for the log line ("sent signal 15 to 1234"). */
  char done[256];
  /* Set by a streaming verb (fanotify) that already printed its lines: no closing answer. */
  int streamed;
};

struct verb {
  const char *name;
  /* Arguments after the verb: at least min_args, at most max_args. */
  int min_args, max_args;
  const char *usage;
  void (*run)(int argc, char **argv, struct result *r);
  /* The capabilities the verb needs (bit n = capability n); all others are dropped first. */
  unsigned long long caps;
};

#define CAP_BIT(n) (1ULL << (n))

/* Keeps only these capabilities (effective and permitted), clears inheritable; -1 on failure. */
int keep_only_caps(unsigned long long keep);

/* Strict parsers: plain decimal, optional '-', no spaces, no leading zeros, within [lo, hi]. */
int parse_ll(const char *s, long long lo, long long hi, long long *out);
/* A target pid: 2..4194304 and not this helper itself; fills r (usage) when refused. */
int parse_target_pid(const char *s, struct result *r, int *pid);
/* "0-3,5": every CPU < max_cpu; sets bits in mask (max_cpu/8 bytes). Returns count, -1 on error. */
int parse_cpu_list(const char *s, unsigned char *mask, int max_cpu);

/* Fill r as a failure: errno name from err, message formatted. */
void fail_errno(struct result *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fail_usage(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void set_done(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The process verbs (proc.c). */
void verb_signal(int argc, char **argv, struct result *r);
void verb_renice(int argc, char **argv, struct result *r);
void verb_ioprio(int argc, char **argv, struct result *r);
void verb_affinity(int argc, char **argv, struct result *r);
void verb_rlimit(int argc, char **argv, struct result *r);
void verb_oom_adj(int argc, char **argv, struct result *r);

/* The streaming verbs (fanotify.c). */
void verb_fanotify(int argc, char **argv, struct result *r);

/* Prints s as a JSON string (quotes and escapes) on stdout (main.c). */
void print_json_string(const char *s);

#endif
