/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The typed parent/child protocol between hydra-runc and the container's
 * init while it is being set up (after youki's Message enum).  One
 * SOCK_SEQPACKET socketpair.  A message is a header packet of exactly
 * HR_MSG_HEADER_SIZE bytes {type, errnum, payload length}, then the payload
 * in packets of exactly min(HR_MSG_CHUNK, bytes left) each: any size up to
 * HR_MSG_LIMIT, never cut.  The receiver checks every length against the
 * header (a short, long or unannounced packet is a protocol error) and
 * allocates exactly the announced size.  The child reports failure with
 * HR_MSG_ERROR carrying its errno and message, so the parent returns the
 * child's error as if it had happened locally.  docs/architecture.md
 * "The sync protocol".
 */
#ifndef HYDRA_SYNC_H
#define HYDRA_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* A new type needs its payload rule in sync.c (payload_rule): the
   decoder refuses types it does not know. */
enum hr_msg_type
{
  /* parent -> child: the parent has done its part of the setup (cgroup
     placement, id maps); the child may run its plan.  Payload: none (the
     init of a create gets its state documents first, HR_MSG_STATE_*). */
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
     which may drop PR_SET_PDEATHSIG and outlive the parent; it answers
     HR_MSG_RECORDED_ACK once it has (container.c hand_over). */
  HR_MSG_RECORDED,
  /* child -> parent: the seccomp filter just loaded has a notify listener;
     the next packet carries its fd (SCM_RIGHTS).  The parent sends it to
     linux.seccomp.listenerPath (seccomp_notify.c) and answers
     HR_MSG_SECCOMP_DONE. */
  HR_MSG_SECCOMP_FD,
  HR_MSG_SECCOMP_DONE,
  /* create: parent -> init, before GO: the state documents (JSON, no NUL)
     the init's own hooks read on stdin, with status "creating"
     (createContainer) and "created" (startContainer). */
  HR_MSG_STATE_CREATING,
  HR_MSG_STATE_CREATED,
  /* init -> parent: answer to HR_MSG_RECORDED, sent once the init no
     longer dies with the parent.  Payload: none. */
  HR_MSG_RECORDED_ACK,
};

/* The largest payload either side sends or accepts: state documents carry
   the annotations (Kubernetes allows 256 KiB per object; MiBs must pass),
   and a hostile init must not make the runtime allocate without bound. */
#define HR_MSG_LIMIT (64u << 20)
#define HR_MSG_HEADER_SIZE 12
/* Payload bytes per packet: well under the default SO_SNDBUF, so one
   packet always fits in the socket buffer. */
#define HR_MSG_CHUNK 65536

struct hr_msg
{
  uint32_t type;
  int32_t errnum;
  uint32_t len;
  /* len bytes plus a NUL (for convenience; text payloads hold no NUL).
     Points into `none` for an empty payload, else to exactly len + 1
     bytes of heap; valid until the next receive into this buffer. */
  char *data;
  char none[1];
  bool partial;  /* decoder: the header came, the payload is incomplete */
  uint32_t got;  /* decoder: payload bytes received so far */
};

/* A message buffer for hr_msg_recv, freed with hr_msg_free (or
   _cleanup_msg_).  Small and not zeroed: the common messages carry no
   payload, and a payload is allocated at its announced size when it
   arrives, so the common path costs one small malloc and no memset. */
struct hr_msg *hr_msg_alloc (void);
void hr_msg_free (struct hr_msg *m);
static inline void
hr_msg_freep (struct hr_msg **m)
{
  hr_msg_free (*m);
}
#define _cleanup_msg_ __attribute__ ((cleanup (hr_msg_freep)))

/* The decoder: pure (no I/O), fed one packet at a time with the packet's
   real length (MSG_TRUNC).  The first packet of a message must be the
   header; the payload then follows.  Returns 1 when the message is
   complete (msg->data NUL-terminated), 0 when it needs another packet, -1
   on a protocol error (msg is reset, ready for the next message).  A
   packet already lying at msg->data + msg->got is not copied. */
int hr_msg_decode (struct hr_msg *msg, const void *pkt, size_t n, hr_err *err);
/* Where the next payload packet goes (msg->data + msg->got) and how long
   it must be. */
size_t hr_msg_next_len (const struct hr_msg *msg);

const char *hr_msg_name (uint32_t type);

int hr_msg_send (int fd, enum hr_msg_type type, int errnum, const void *data, size_t len, hr_err *err);
/* Forward an error object to the peer (used by the child before _exit). */
void hr_msg_send_error (int fd, hr_err e);
/* Receive one message.  A closed peer is an error with EPIPE ("container
   init exited before ..." is added by the caller); a peer that breaks the
   protocol, one with EPROTO. */
int hr_msg_recv (int fd, struct hr_msg *msg, hr_err *err);
/* Receive and require `type`; an HR_MSG_ERROR from the peer becomes *err. */
int hr_msg_expect (int fd, enum hr_msg_type type, struct hr_msg *msg, hr_err *err);
/* The check of hr_msg_expect on a message already received. */
int hr_msg_check (const struct hr_msg *msg, enum hr_msg_type type, hr_err *err);

#endif
