/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NOTIFY_SOCKET: the sd_notify(3) relay between a container and the
 * service manager that started the runtime, after runc 1.1's
 * notify_socket.go.  create makes <state dir>/notify, which the plan binds
 * read-only at /run/notify in the container (NOTIFY_SOCKET set there to
 * /run/notify/notify.sock); start binds the datagram socket in it, lets
 * the container run and relays what it sends until READY=1, then reports
 * MAINPID itself.
 */
#ifndef HYDRA_NOTIFY_H
#define HYDRA_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

#define HR_NOTIFY_DIR "notify"
#define HR_NOTIFY_SOCK "notify.sock"
#define HR_NOTIFY_DEST "/run/notify"
#define HR_NOTIFY_ENV_VALUE HR_NOTIFY_DEST "/" HR_NOTIFY_SOCK
/* runc reads the container's datagrams into 4 KiB. */
#define HR_NOTIFY_MSG_MAX 4096

/* One datagram from the container (untrusted, any bytes) filtered for the
   host: its lines minus those the relay must not pass on (MAINPID: a pid
   of the container's namespace; BARRIER and the FD* keys: they need fds,
   which are not relayed; lines with a NUL; empty lines), each ended by a
   newline, into OUT (room for LEN + 1 bytes is enough).  Returns the
   length written; *READY tells whether a line was READY=1.  Pure
   (notify_msg.c; tests/unit/test-notify.c, tests/fuzz/fuzz-notify.c). */
size_t hr_notify_filter (const char *in, size_t len, char *out, bool *ready);

/* The caller's NOTIFY_SOCKET, or NULL when unset or empty. */
const char *hr_notify_host (void);
/* create: the notify directory in the state dir DIRFD. */
int hr_notify_dir_make (int dirfd, hr_err *err);
/* start: when the container has a notify directory and NOTIFY_SOCKET is
   set, bind the socket in it and connect to the host's; *SOCK and *HOST
   stay -1 otherwise. */
int hr_notify_open (int dirfd, int *sock, int *host, hr_err *err);
/* start, once the container runs: relay until READY=1 (then send
   MAINPID=MAINPID and a barrier) or until PIDFD's process exits. */
int hr_notify_relay (int sock, int host, int pidfd, pid_t mainpid, hr_err *err);
/* delete: the socket and its directory. */
void hr_notify_remove (int dirfd);

#endif
