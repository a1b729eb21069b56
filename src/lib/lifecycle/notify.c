/* SPDX-License-Identifier: Apache-2.0 */
/* The sd_notify relay of start (notify.h), as runc 1.1's notify_socket.go. */
#include <config.h>
#include "lifecycle/notify.h"
#include "cleanup.h"
#include "kernel/terminal.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *
hr_notify_host (void)
{
  const char *s = getenv ("NOTIFY_SOCKET");
  return s && *s ? s : NULL;
}

int
hr_notify_dir_make (int dirfd, hr_err *err)
{
  /* 0755, as runc: the container's user may not be root. */
  if (mkdirat (dirfd, HR_NOTIFY_DIR, 0755) < 0 || fchmodat (dirfd, HR_NOTIFY_DIR, 0755, 0) < 0)
    return hr_error_set (err, errno, "create the notify socket directory");
  return 0;
}

/* NOTIFY_SOCKET names a path or, with a leading '@', an abstract address
   (sd_notify(3)). */
static int
host_address (const char *name, struct sockaddr_un *sa, socklen_t *len, hr_err *err)
{
  size_t n = strlen (name);

  memset (sa, 0, sizeof (*sa));
  sa->sun_family = AF_UNIX;
  if (n >= sizeof (sa->sun_path) || (name[0] != '/' && name[0] != '@'))
    return hr_error_plain (err, EINVAL, "NOTIFY_SOCKET `%s`: not an absolute path or @abstract name that fits a unix address",
                           name);
  memcpy (sa->sun_path, name, n);
  if (name[0] == '@')
    {
      sa->sun_path[0] = '\0';
      *len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n);
    }
  else
    *len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n + 1);
  return 0;
}

int
hr_notify_open (int dirfd, int *sock, int *host, hr_err *err)
{
  const char *name = hr_notify_host ();
  _cleanup_close_ int dir = -1, s = -1, h = -1;
  struct sockaddr_un sa;
  socklen_t len = 0;

  *sock = *host = -1;
  if (name == NULL)
    return 0;
  dir = openat (dirfd, HR_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    {
      if (errno == ENOENT)
        return 0; /* created without NOTIFY_SOCKET: nothing to relay */
      return hr_error_set (err, errno, "open the notify socket directory");
    }
  /* Connected first: a NOTIFY_SOCKET nobody listens on fails start
     before the container runs. */
  if (host_address (name, &sa, &len, err) < 0)
    return -1;
  h = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (h < 0 || connect (h, (struct sockaddr *) &sa, len) < 0)
    return hr_error_set (err, errno, "connect to NOTIFY_SOCKET `%s`", name);

  /* Bound through the directory's fd: the socket lands in the state dir
     whatever the length of its path, and nothing on the way (a symlink
     put there) can send it elsewhere. */
  _cleanup_free_ char *path = xasprintf ("/proc/self/fd/%d/" HR_NOTIFY_SOCK, dir);
  memset (&sa, 0, sizeof (sa));
  sa.sun_family = AF_UNIX;
  if (strlen (path) >= sizeof (sa.sun_path))
    return hr_error_plain (err, ENAMETOOLONG, "notify socket path");
  strcpy (sa.sun_path, path);
  /* (one left by a start killed while it waited) */
  if (unlinkat (dir, HR_NOTIFY_SOCK, 0) < 0 && errno != ENOENT)
    return hr_error_set (err, errno, "remove the old notify socket");
  s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &sa, sizeof (sa)) < 0)
    return hr_error_set (err, errno, "bind the notify socket");
  /* runc: 0777, any user of the container may notify. */
  if (fchmodat (dir, HR_NOTIFY_SOCK, 0777, 0) < 0)
    return hr_error_set (err, errno, "chmod the notify socket");
  *sock = TAKE_FD (s);
  *host = TAKE_FD (h);
  return 0;
}

/* sd_notify_barrier(3), as runc: BARRIER=1 with the write end of a pipe;
   the manager closes it once it has handled what came before.  Bounded
   by runc's 30 s (a receiver that keeps the fd is not an error). */
static int
barrier (int host, hr_err *err)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  _cleanup_close_ int rd = p[0], wr = p[1];
  if (hr_send_fd (host, wr, "BARRIER=1", err) < 0)
    return hr_error_wrap (err, "send BARRIER=1 to NOTIFY_SOCKET");
  close (TAKE_FD (wr));
  struct pollfd pfd = { .fd = rd, .events = POLLIN };
  int r;
  while ((r = poll (&pfd, 1, 30000)) < 0 && errno == EINTR)
    ;
  if (r == 0)
    hr_warn ("timeout after waiting 30s for barrier, ignored");
  return 0;
}

static void
close_passed_fds (struct msghdr *mh)
{
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (mh); cm; cm = CMSG_NXTHDR (mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      {
        size_t n = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        for (size_t i = 0; i < n; i++)
          {
            int fd;
            memcpy (&fd, CMSG_DATA (cm) + i * sizeof (int), sizeof (int));
            close (fd);
          }
      }
}

/* One datagram: 1 when it said READY=1, 0 when it said something else,
   -1 with nothing (left) to read. */
static int
relay_one (int sock, int host, hr_err *err)
{
  char buf[HR_NOTIFY_MSG_MAX], out[HR_NOTIFY_MSG_MAX + 1];
  char cbuf[CMSG_SPACE (sizeof (int) * 16)];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof (buf) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
  bool ready;

  ssize_t n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0)
    return -1;
  /* fds the container sent (FDSTORE) are not relayed: closed here. */
  close_passed_fds (&mh);
  size_t len = hr_notify_filter (buf, (size_t) n, out, &ready);
  if (len > 0 && send (host, out, len, MSG_NOSIGNAL) < 0)
    return hr_error_set (err, errno, "send to NOTIFY_SOCKET");
  return ready ? 1 : 0;
}

int
hr_notify_relay (int sock, int host, int pidfd, pid_t mainpid, hr_err *err)
{
  struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

  for (;;)
    {
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return hr_error_set (err, errno, "poll the notify socket");
        }
      /* What the container sent before it exited is still relayed. */
      int r;
      hr_err e = NULL;
      while ((r = relay_one (sock, host, &e)) == 0)
        ;
      if (e)
        {
          *err = e;
          return -1;
        }
      if (r == 1)
        {
          /* The pid the manager is to watch, in its namespace (runc: the
             init's for start and run -d, its own for run). */
          char line[64];
          int l = snprintf (line, sizeof (line), "MAINPID=%d\n", (int) mainpid);
          if (send (host, line, (size_t) l, MSG_NOSIGNAL) < 0)
            return hr_error_set (err, errno, "send MAINPID to NOTIFY_SOCKET");
          return barrier (host, err);
        }
      /* runc's start returns without error when the init is gone before
         READY. */
      if (pfd[1].revents)
        {
          hr_debug ("container init exited before READY=1");
          return 0;
        }
    }
}

void
hr_notify_remove (int dirfd)
{
  _cleanup_close_ int dir = openat (dirfd, HR_NOTIFY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return;
  (void) unlinkat (dir, HR_NOTIFY_SOCK, 0);
}
