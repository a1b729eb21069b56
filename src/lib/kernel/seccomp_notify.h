/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp user notification (runtime-spec config-linux.md "Seccomp",
   SCMP_ACT_NOTIFY): the process that loaded the filter hands the listener
   fd to the runtime over its sync socket; the runtime, which knows the
   process's pid and the container's state, sends it with the container
   process state to the agent at linux.seccomp.listenerPath and closes its
   copy.  As runc does (the init and `exec`'s process alike). */
#ifndef HYDRA_SECCOMP_NOTIFY_H
#define HYDRA_SECCOMP_NOTIFY_H

#include <sys/types.h>
#include "error.h"
#include "oci.h"
#include "state/sync.h"

/* hr_seccomp_apply, then hand any listener fd over through sync_fd. */
int hr_seccomp_load (const oci_seccomp *s, int preserve_fds, int sync_fd, hr_err *err);
/* The filtered process: send notify_fd to the runtime, wait until it was
   delivered, close it. */
int hr_seccomp_notify_handover (int sync_fd, int notify_fd, hr_err *err);

/* The runtime's side: what to tell the agent about the process. */
struct hr_seccomp_agent
{
  const oci_seccomp *seccomp; /* NULL: no notify fd is expected */
  pid_t pid;                  /* the filtered process, as the runtime sees it */
  const char *state_json;     /* the container's state (runtime.md "State") */
};

/* hr_msg_recv, delivering any notify fd the peer hands over on the way
   (the message after it is returned). */
int hr_seccomp_notify_recv (int sync_fd, struct hr_msg *msg, const struct hr_seccomp_agent *agent, hr_err *err);
/* hr_msg_expect, the same way. */
int hr_seccomp_notify_expect (int sync_fd, enum hr_msg_type type, struct hr_msg *msg,
                              const struct hr_seccomp_agent *agent, hr_err *err);
/* Deliver the notify fd announced by HR_MSG_SECCOMP_FD (just received). */
int hr_seccomp_notify_forward (int sync_fd, const struct hr_seccomp_agent *agent, hr_err *err);

#endif
