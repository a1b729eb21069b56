/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The typed parent/child protocol between hydra-runc and the container's
 * init while it is being set up (after youki's Message enum).  One
 * SOCK_SEQPACKET socketpair; every message is one packet: a fixed header
 * plus an optional payload.  The child reports failure with HR_MSG_ERROR
 * carrying its errno and message, so the parent returns the child's error
 * as if it had happened locally.
 */
#ifndef HYDRA_SYNC_H
#define HYDRA_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum hr_msg_type
{
  /* parent -> child: the parent has done its part of the setup (cgroup
     placement, id maps); the child may run its plan. */
  HR_MSG_GO = 1,
  /* child -> parent: setup finished; the child now waits for `start`
     on exec.fifo.  Payload: none. */
  HR_MSG_CREATED,
  /* child -> parent: a step failed.  errnum + message. */
  HR_MSG_ERROR,
  /* child -> parent: run the hooks of a stage in the runtime namespace
     (payload: the stage name); the parent answers HR_MSG_HOOKS_DONE or
     HR_MSG_ERROR.  Used by createRuntime hooks. */
  HR_MSG_RUN_HOOKS,
  HR_MSG_HOOKS_DONE,
  /* exec: the process -> parent: set up, waiting for HR_MSG_GO before
     execve (the parent has delivered the pty and written the pid file). */
  HR_MSG_EXEC_READY,
  /* create: parent -> init, after CREATED: state.json now names the init,
     which may drop PR_SET_PDEATHSIG and outlive the parent; it closes
     its end of the socket once it has (container.c hand_over). */
  HR_MSG_RECORDED,
  /* child -> parent: the seccomp filter just loaded has a notify listener;
     the next packet carries its fd (SCM_RIGHTS).  The parent sends it to
     linux.seccomp.listenerPath (seccomp_notify.c) and answers
     HR_MSG_SECCOMP_DONE. */
  HR_MSG_SECCOMP_FD,
  HR_MSG_SECCOMP_DONE,
};

#define HR_MSG_MAX_PAYLOAD 65000

struct hr_msg
{
  uint32_t type;
  int32_t errnum;
  uint32_t len;
  char data[HR_MSG_MAX_PAYLOAD + 1]; /* NUL-terminated for convenience */
};

/* A message buffer for hr_msg_recv, freed with free().  Not zeroed:
   receiving fills in what it reads, and zeroing 64 KiB cost a memset and
   16 dirty pages per buffer in the parent and in the init. */
struct hr_msg *hr_msg_alloc (void);

const char *hr_msg_name (uint32_t type);

int hr_msg_send (int fd, enum hr_msg_type type, int errnum, const void *data, size_t len, hr_err *err);
/* Forward an error object to the peer (used by the child before _exit). */
void hr_msg_send_error (int fd, hr_err e);
/* Receive one message.  A closed peer is an error ("container init exited
   before ..." is added by the caller). */
int hr_msg_recv (int fd, struct hr_msg *msg, hr_err *err);
/* Receive and require `type`; an HR_MSG_ERROR from the peer becomes *err. */
int hr_msg_expect (int fd, enum hr_msg_type type, struct hr_msg *msg, hr_err *err);
/* The check of hr_msg_expect on a message already received. */
int hr_msg_check (const struct hr_msg *msg, enum hr_msg_type type, hr_err *err);

#endif
