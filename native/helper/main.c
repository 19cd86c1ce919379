/*
 * vantage-helper VERB ARGS...: runs one allow-listed privileged action and prints one JSON line,
 * {"ok":true} or {"ok":false,"code":"EPERM","message":"..."}. Exit 0 done, 1 failed, 2 usage.
 * Started by Vantage directly when it runs as root, else through pkexec (polkit action
 * org.vantage.helper.control). Each request is logged to syslog with the real caller's uid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <linux/capability.h>
#include <unistd.h>

#include "helper.h"

/* The allow-list. New verbs (capture, cgroups, ...) add one row here and a function elsewhere. */
static const struct verb verbs[] = {
    {"signal", 2, 3, "signal PID SIGNUM [STARTTICKS]", verb_signal, CAP_BIT(CAP_KILL)},
    {"renice", 2, 2, "renice PID NICE", verb_renice, CAP_BIT(CAP_SYS_NICE)},
    /* The realtime class needs CAP_SYS_ADMIN on older kernels, CAP_SYS_NICE on newer ones. */
    {"ioprio", 3, 3, "ioprio PID none|realtime|best-effort|idle LEVEL", verb_ioprio, CAP_BIT(CAP_SYS_NICE) | CAP_BIT(CAP_SYS_ADMIN)},
    {"affinity", 2, 2, "affinity PID CPULIST", verb_affinity, CAP_BIT(CAP_SYS_NICE)},
    {"rlimit", 4, 4, "rlimit PID RESOURCE SOFT|unlimited HARD|unlimited", verb_rlimit, CAP_BIT(CAP_SYS_RESOURCE)},
    /* /proc/PID/oom_score_adj belongs to the target's owner: writing another's needs DAC override. */
    {"oom-adj", 2, 2, "oom-adj PID VALUE", verb_oom_adj, CAP_BIT(CAP_SYS_RESOURCE) | CAP_BIT(CAP_DAC_OVERRIDE)},
    /* Streams until stdin closes (fanotify.c). DAC_READ_SEARCH: PATH may lie under folders root cannot search. */
    {"fanotify", 1, 1, "fanotify PATH", verb_fanotify, CAP_BIT(CAP_SYS_ADMIN) | CAP_BIT(CAP_DAC_READ_SEARCH)},
};

void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      printf("\\%c", c);
    } else if (c < 0x20) {
      printf("\\u%04x", c);
    } else {
      putchar(c);
    }
  }
  putchar('"');
}

static int answer(const struct result *r) {
  if (!r->code && r->streamed) return EXIT_DONE; /* it already answered, line by line */
  if (!r->code) {
    fputs("{\"ok\":true}\n", stdout);
    return EXIT_DONE;
  }
  printf("{\"ok\":false,\"code\":");
  print_json_string(r->code);
  printf(",\"message\":");
  print_json_string(r->message);
  fputs("}\n", stdout);
  return r->usage ? EXIT_USAGE : EXIT_FAILED;
}

static void usage(struct result *r) {
  char *p = r->message;
  size_t left = sizeof r->message;
  int n = snprintf(p, left, "usage: vantage-helper VERB ARGS; verbs:");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0] && n > 0 && (size_t)n < left; i++) {
    p += n;
    left -= (size_t)n;
    n = snprintf(p, left, " %s%s", verbs[i].name, i + 1 < sizeof verbs / sizeof verbs[0] ? "," : "");
  }
  r->code = "EINVAL";
  r->usage = 1;
}

int main(int argc, char **argv) {
  struct result r;
  memset(&r, 0, sizeof r);
  /* Nothing this helper runs may gain privileges it did not start with (it runs nothing anyway). */
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  openlog("vantage-helper", LOG_PID, LOG_AUTHPRIV);
  /* pkexec says who asked; the value is only logged, never trusted for a decision. */
  const char *pkexec_uid = getenv("PKEXEC_UID");
  long long caller;
  int by_pkexec = pkexec_uid && parse_ll(pkexec_uid, 0, 4294967295LL, &caller) == 0;

  const struct verb *v = NULL;
  if (argc >= 2) {
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
      if (strcmp(argv[1], verbs[i].name) == 0) v = &verbs[i];
    }
  }
  if (!v) {
    usage(&r);
  } else if (argc - 2 < v->min_args || argc - 2 > v->max_args) {
    r.code = "EINVAL";
    r.usage = 1;
    snprintf(r.message, sizeof r.message, "usage: vantage-helper %s", v->usage);
  } else if (keep_only_caps(v->caps) != 0) {
    fail_errno(&r, errno, "cannot drop the capabilities %s does not need", v->name);
  } else {
    v->run(argc - 2, argv + 2, &r);
  }

  const char *verb = v ? v->name : "(unknown)";
  if (by_pkexec) {
    syslog(r.code ? LOG_WARNING : LOG_NOTICE, "uid %d (pkexec caller uid %lld) %s: %s", (int)getuid(), caller, verb,
           r.code ? r.message : r.done);
  } else {
    syslog(r.code ? LOG_WARNING : LOG_NOTICE, "uid %d %s: %s", (int)getuid(), verb, r.code ? r.message : r.done);
  }
  closelog();
  return answer(&r);
}
