/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit stream (issue 16, docs/sandbox.md "Audit"): one small process
 * per sandboxed container, outside it, holding the eBPF programs and
 * writing what they report as JSON lines into the state dir (what `events
 * --audit` follows) and, when the policy names one, into a rotated file.
 * It outlives the create that starts it and is stopped and reaped by
 * delete; nothing inside the container can reach it.
 */
#ifndef HYDRA_SANDBOX_AUDIT_H
#define HYDRA_SANDBOX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "cleanup.h"
#include "sandbox/policy.h"
#include "sandbox/sandbox_bpf.h"

/* Files of the state dir. */
#define HR_AUDIT_LOG "audit.jsonl"
#define HR_AUDIT_PID "audit.pid"
#define HR_SANDBOX_REPORT "sandbox.json"

/* Pure: one record as a JSON line (no newline).  Strings from the
   container (paths, argv, comm) are made valid UTF-8 (U+FFFD for a bad
   byte), so no record is lost to an odd name.  pid/ppid: as the
   container sees them (0 when unknown). */
char *hr_audit_record_json (const struct hr_audit_record *r, const char *id, pid_t pid, pid_t ppid);
/* Pure: S as valid UTF-8 (a bad byte becomes U+FFFD).  Caller frees. */
char *hr_utf8_sanitize (const char *s, size_t len);
/* Pure: nanoseconds since the epoch as RFC 3339 with nanoseconds, UTC. */
void hr_audit_time (uint64_t ns, char buf[40]);

/* A JSON-lines file that rotates: past max_bytes, NAME becomes NAME.1
   (NAME.1 NAME.2, ... up to keep; keep 0 = truncate), and a new NAME is
   started.  dirfd is where NAME lives. */
struct hr_audit_log
{
  int dirfd;
  char *name;
  int fd;
  uint64_t size, max_bytes;
  unsigned keep;
  char *pend;         /* lines not written yet (hr_audit_log_flush) */
  size_t pend_len, pend_cap;
};
int hr_audit_log_open (struct hr_audit_log *l, int dirfd, const char *name, uint64_t max_bytes, unsigned keep,
                       hr_err *err);
/* Queue a line; it is written whole at the next flush (or when 64 KiB are
   queued): one write(2) per batch of records, not per record. */
int hr_audit_log_write (struct hr_audit_log *l, const char *line, hr_err *err);
int hr_audit_log_flush (struct hr_audit_log *l, hr_err *err);
void hr_audit_log_close (struct hr_audit_log *l);

/* What the audit process needs; everything is copied before fork. */
struct hr_audit_args
{
  int state_dirfd;                   /* the container's state dir */
  const char *id;
  const struct hr_policy *policy;
  const char *cgroup2_dir;           /* the container's cgroup2 directory */
  int rootfd;                        /* the container's root (O_PATH), or -1: an exec
                                        Landlock refused is told apart (blocked file or not) */
  const struct hr_blocked_exe *blocked;
  size_t n_blocked;
  const char *report_json;           /* the sandbox report: the stream's first line */
};

/* Start the audit process; returns once its programs are attached (or it
   failed: then it is gone and *err says why).  *features: what eBPF
   could do on this kernel. */
int hr_audit_start (const struct hr_audit_args *a, pid_t *pid, struct hr_bpf_features *features, hr_err *err);
/* Stop it (SIGTERM: it drains the ring buffer, writes its last line and
   exits) and wait until it is gone.  No audit process: 0. */
int hr_audit_stop (int state_dirfd, hr_err *err);

/* Is the recorded audit process alive? */
bool hr_audit_running (int state_dirfd);

/* `events --audit`: every line of the container's stream so far, then
   the new ones as they come, until the audit process ends. */
int hr_audit_follow (int state_dirfd, int (*cb) (const char *line, void *arg, hr_err *err), void *arg,
                     hr_err *err);

#endif
