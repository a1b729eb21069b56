/* SPDX-License-Identifier: Apache-2.0 */
/* The one executor: the container's init (create) and a process exec'd
   into a running container both run their plan's steps here, in order. */
#ifndef HYDRA_INIT_H
#define HYDRA_INIT_H

#include "kernel/seccomp.h"
#include "setup/plan.h"


struct hr_init_args
{
  const struct hr_plan *plan;
  int sync_fd;          /* our end of the socketpair with the parent */
  int fifo_fd;          /* <state>/exec.fifo open read-write, -1 for none */
  int *join_fds;        /* one per STEP_JOIN_NS, opened by the parent */
  int preserve_fds;
  int console_fd;       /* console channel for STEP_CONSOLE (terminal.h), -1 for none */
  /* STEP_JOIN_CONTAINER (exec): the init's pidfd, the namespaces of it
     that are not ours, its root when it shares our mount namespace (-1). */
  int pidfd;
  int ns_flags;
  int init_root;
  /* STEP_SECCOMP: plan->seccomp as the parent compiled it or found it in
     the cache (seccomp_cache.h); NULL: compile here. */
  const struct hr_seccomp_prog *seccomp;
  /* An unprivileged parent writes our uid_map/gid_map (userns.c): the
     kernel gives a non-dumpable process's /proc files to root, so we stay
     dumpable until GO, which comes after the maps (runc's nsexec does the
     same for its parent). */
  bool dumpable_until_go;
};

/* Never returns: execs the process, or reports the error to the parent
   and exits 1. */
void hr_init_run (const struct hr_init_args *args) __attribute__ ((noreturn));

/* Run the plan's steps in order, once the parent said GO (state_*: the
   states the createContainer and startContainer hooks get).  Returns only
   on failure; *reported says whether created was reported (the parent no
   longer listens).  A restore plan (hr_plan_build_restore) has no
   process: it returns 0 once its mountpoints are made. */
int hr_plan_run (const struct hr_init_args *args, const char *state_creating, const char *state_created, bool *reported,
                 hr_err *err);

/* --debug: the plan, one step a line, as `what` for container `id`. */
void hr_plan_debug (const struct hr_plan *plan, const char *what, const char *id);

#endif
