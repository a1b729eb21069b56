/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sandboxed container's life (docs/sandbox.md): what create does beyond
 * the lowered config (the network limit, the audit process with the
 * eBPF programs), the report of what the kernel enforces, and what delete
 * stops.  The Landlock step is the plan's (STEP_LANDLOCK).
 */
#ifndef HYDRA_SANDBOX_H
#define HYDRA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"
#include "cleanup.h"
#include "oci.h"
#include "sandbox/policy.h"

/* One line of the report: a rule of the policy, the kernel mechanism
   that enforces it, and whether it does here. */
struct hr_sandbox_item
{
  char *rule;       /* "writable_paths", "blocked_commands", "allow_internet", "audit", ... */
  char *mechanism;  /* "landlock", "mount", "ebpf exec guard", ... */
  bool enforced;
  char *detail;     /* why not, or what exactly */
};

struct hr_sandbox_report
{
  struct hr_sandbox_item *items;
  size_t n;
};

void hr_sandbox_report_add (struct hr_sandbox_report *r, const char *rule, const char *mechanism, bool enforced,
                            const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
void hr_sandbox_report_clear (struct hr_sandbox_report *r);
/* Pure: {"policy":NAME,"require":"all"|"best-effort","enforced":[...],"not_enforced":[...]} */
char *hr_sandbox_report_json (const struct hr_policy *p, const struct hr_sandbox_report *r);
/* Is there a rule nothing enforces?  (Refused under `require: all`.) */
const struct hr_sandbox_item *hr_sandbox_report_missing (const struct hr_sandbox_report *r);

struct hr_cgroup;

/* create, once the init is created (its mounts made, waiting for
   `start`): limit the network, scan the rootfs for blocked commands,
   start the audit process, write the report (state dir and stderr
   warnings); with `require: all`, refuse if anything is not enforced. */
struct hr_sandbox_setup
{
  int state_dirfd;
  const char *id;
  const struct hr_policy *policy;
  const oci_config *config;
  pid_t init_pid;
  const struct hr_cgroup *cgroup;
  bool rootless;
};
int hr_sandbox_start (const struct hr_sandbox_setup *s, hr_err *err);
/* delete (and a failed create): stop the audit process.  Idempotent. */
int hr_sandbox_stop (int state_dirfd, hr_err *err);

#endif
