/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Terminals (runtime-spec config.md "terminal", "consoleSize"; runc's
 * --console-socket protocol).
 *
 * The pty is allocated INSIDE the container, from the devpts instance
 * mounted at the container's /dev/pts, by the process that is about to
 * become the container's process (the init, or an exec child).  Its master
 * travels over a private "console channel" (a socketpair the trusted parent
 * made) back to the parent, which either hands it to the --console-socket
 * or keeps it to proxy its own stdio (`run -t`, `exec -t` in the
 * foreground).
 */
#ifndef HYDRA_TERMINAL_H
#define HYDRA_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "oci.h"

/* runc's sanity check of terminal / detach / --console-socket, with its
   wording (engines and people compare it). */
int hr_terminal_check (bool terminal, bool detached, const char *console_socket, hr_err *err);

/* Child side, inside the container's mount namespace (rootfd: the
   container's root; procfd: a trusted procfs, see hr_open_trusted_proc,
   through which the checked ptmx is reopened; the process must already be
   in the container's cgroups, whose device rules then apply to that open).
   Allocate a pty from the container's devpts, give the slave to uid owner
   (the process's), make the
   slave our controlling terminal and fds 0, 1 and 2 (setsid + TIOCSCTTY),
   apply size (may be NULL), bind the slave onto /dev/console when
   mount_console (the init, as runc does; not for exec), and send the master
   over console_fd, which is then closed. */
int hr_terminal_setup (int rootfd, int procfd, int console_fd, bool mount_console, const oci_box *size, uid_t owner,
                       hr_err *err);

/* One fd over a unix socket with SCM_RIGHTS; name is the message text
   (runc sends the pty's name). */
int hr_send_fd (int sock, int fd, const char *name, hr_err *err);
/* Receive one fd (O_CLOEXEC) from sock. */
int hr_recv_fd (int sock, hr_err *err);
/* Connect to the --console-socket at path (from the trusted parent: the
   path is never resolved inside the container) and send master to it. */
int hr_console_socket_send (const char *path, int master, hr_err *err);

/* Give the pty master our stdin's window size, when stdin is a terminal
   that has one (before the process starts: it may ask at once). */
void hr_terminal_inherit_size (int master);

/* Wait in the foreground for pid, our child: forward the signals runc
   forwards (SIGWINCH resizes the pty instead when there is one), and when
   master >= 0 proxy our stdin to it and its output to our stdout, with our
   own tty (if stdin is one) in raw mode until we return.  *exit_code gets
   the exit status, 128+N when killed by signal N. */
int hr_foreground_wait (pid_t pid, int master, int *exit_code, hr_err *err);

#endif
