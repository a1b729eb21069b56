/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault points: named places in create and exec where a test build of
 * hydra-runc can be held, so that tests/integration/faults.bats can kill -9
 * the runtime at exactly that stage (issue 6: "drive the stages
 * deterministically ... not by sleeping").  docs/architecture.md lists them.
 *
 * HR_FAULT_POINT ("name") expands to nothing unless the file is compiled
 * with -DHYDRA_FAULT_POINTS, which only tests/tools/hydra-runc-faults is
 * (tests/tools/Makefile.inc): the installed binary never reads
 * HYDRA_FAULT_POINT, and faults.bats checks that it does not contain it.
 *
 * In the test build, when $HYDRA_FAULT_POINT names the point, the process
 * that reaches it writes "hydra-runc: fault point NAME reached" to its
 * stderr and then blocks for good in pause().  It does not raise SIGSTOP:
 * the container's init is pid 1 of a new pid namespace, and the kernel
 * drops a signal that pid 1 sends itself without a handler, SIGSTOP
 * included (pid_namespaces(7)).  Blocking is the same for every process,
 * and SIGKILL (the test's, or PR_SET_PDEATHSIG's) still ends it.
 */
#ifndef HYDRA_FAULT_H
#define HYDRA_FAULT_H

#ifdef HYDRA_FAULT_POINTS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
hr_fault_point (const char *name)
{
  const char *want = getenv ("HYDRA_FAULT_POINT");
  if (want == NULL || strcmp (want, name) != 0)
    return;
  dprintf (2, "hydra-runc: fault point %s reached\n", name);
  for (;;)
    pause ();
}
#define HR_FAULT_POINT(name) hr_fault_point (name)
#else
#define HR_FAULT_POINT(name) ((void) 0)
#endif

#endif
