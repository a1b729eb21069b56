/* SPDX-License-Identifier: Apache-2.0 */
/* The container's init before exec: runs the plan's steps in order. */
#ifndef HYDRA_INIT_H
#define HYDRA_INIT_H

#include "plan.h"

struct hr_init_args
{
  const struct hr_plan *plan;
  int sync_fd;          /* our end of the socketpair with the parent */
  int fifo_fd;          /* <state>/exec.fifo open read-write, -1 for none */
  int *join_fds;        /* one per STEP_JOIN_NS, opened by the parent */
  int preserve_fds;
  int console_fd;       /* console channel for STEP_CONSOLE (terminal.h), -1 for none */
};

/* Never returns: execs the process, or reports the error to the parent
   and exits 1. */
void hr_init_run (const struct hr_init_args *args) __attribute__ ((noreturn));

#endif
