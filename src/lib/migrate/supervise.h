/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A migration that dies must not leave a frozen container or half a copy
 * (supervise.c).  The work runs in a child; this process only waits.  The
 * child reports how far it got (a progress byte per step that changes what
 * must be undone); when it dies without a result (SIGKILL, a crash), the
 * supervisor undoes what the last progress says.  When the supervisor is
 * killed instead, the child gets SIGTERM (PR_SET_PDEATHSIG) and undoes it
 * itself, as for any failure.  SIGINT, SIGTERM and SIGHUP given to the
 * supervisor are passed to the child.
 */
#ifndef HYDRA_MIGRATE_SUPERVISE_H
#define HYDRA_MIGRATE_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* Run in the child: returns 0 or -1 with *err; may call hr_mig_progress. */
typedef int (*hr_mig_body) (void *arg, void *result, hr_err *err);
/* Run in the supervisor after the child died at PROGRESS (0: none yet);
   wraps *err with what it did. */
typedef void (*hr_mig_recover) (void *arg, int progress, hr_err *err);

/* The child's result (RESULT_LEN bytes) comes back into RESULT. */
int hr_mig_supervise (hr_mig_body body, hr_mig_recover recover, void *arg, void *result, size_t result_len,
                      hr_err *err);
/* In the child: record a step (a byte > 0). */
void hr_mig_progress (int step);

/* fork (WHAT names the child in errors) with a pipe from the child to
   us: *fd is its write end in the child (0 returned), its read end here
   (the child's pid returned). */
pid_t hr_mig_fork_piped (int *fd, const char *what, hr_err *err);

#endif
