/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-agent SOCKET DIR ERRNO: a seccomp notify agent for
 * tests/integration/seccomp-notify.bats.  Listens on the unix socket
 * SOCKET (runtime-spec config-linux.md "Seccomp", listenerPath); for each
 * connection it stores the container process state the runtime sent in
 * DIR/state.N (N from 1) and serves the notify fd that came with it:
 *   mkdir, mkdirat            -> success, nothing created
 *   chmod, fchmod, fchmodat,
 *   fchmodat2                 -> -ERRNO
 *   anything else             -> carried out (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * Each notification is logged to DIR/log as "N NR PID".  A message
 * without exactly one fd is logged as "N bad-message".  Runs until killed.
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static const char *dir;
static int answer_errno;
static FILE *logf;

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

/* One connection: the JSON state and the fd (one sendmsg, SCM_RIGHTS). */
static int
receive (int conn, int n)
{
  static char buf[1 << 16];
  union
  {
    char b[CMSG_SPACE (sizeof (int) * 4)];
    struct cmsghdr align;
  } u;
  size_t len = 0;
  int fd = -1, nfds = 0;

  for (;;)
    {
      struct iovec iov = { buf + len, sizeof (buf) - 1 - len };
      struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof (u.b) };
      ssize_t r = recvmsg (conn, &mh, MSG_CMSG_CLOEXEC);
      if (r <= 0)
        break;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
          {
            int k = (int) ((c->cmsg_len - CMSG_LEN (0)) / sizeof (int));
            for (int i = 0; i < k; i++)
              {
                int f;
                memcpy (&f, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
                if (nfds++ == 0)
                  fd = f;
                else
                  close (f);
              }
          }
      len += (size_t) r;
      if (len >= sizeof (buf) - 1)
        break;
    }
  buf[len] = '\0';
  char path[4096];
  snprintf (path, sizeof (path), "%s/state.%d", dir, n);
  FILE *f = fopen (path, "we");
  if (f == NULL)
    die (path);
  fputs (buf, f);
  fclose (f);
  if (nfds != 1)
    {
      fprintf (logf, "%d bad-message fds=%d\n", n, nfds);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static void
serve (int fd, int n)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;

  memset (&req, 0, sizeof (req));
  if (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return; /* the process went away meanwhile */
  memset (&resp, 0, sizeof (resp));
  resp.id = req.id;
  switch (req.data.nr)
    {
    case SYS_mkdir:
    case SYS_mkdirat:
      break; /* "done" */
    case SYS_chmod:
    case SYS_fchmod:
    case SYS_fchmodat:
#ifdef SYS_fchmodat2
    case SYS_fchmodat2:
#endif
      resp.error = -answer_errno;
      break;
    default:
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    }
  fprintf (logf, "%d %d %d\n", n, req.data.nr, (int) req.pid);
  (void) ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int
main (int argc, char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct pollfd p[MAX_FDS + 1];
  int which[MAX_FDS + 1];
  int np = 1, count = 0;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s SOCKET DIR ERRNO\n", argv[0]);
      return 2;
    }
  dir = argv[2];
  answer_errno = atoi (argv[3]);
  char path[4096];
  snprintf (path, sizeof (path), "%s/log", dir);
  logf = fopen (path, "ae");
  if (logf == NULL)
    die (path);
  setvbuf (logf, NULL, _IOLBF, 0);
  if (strlen (argv[1]) >= sizeof (sa.sun_path))
    die ("socket path too long");
  strcpy (sa.sun_path, argv[1]);
  int ls = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0 || bind (ls, (struct sockaddr *) &sa, sizeof (sa)) < 0 || listen (ls, 16) < 0)
    die ("listen");
  p[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
  for (;;)
    {
      if (poll (p, (nfds_t) np, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          die ("poll");
        }
      for (int i = np - 1; i >= 1; i--)
        {
          if (p[i].revents & POLLIN)
            serve (p[i].fd, which[i]);
          else if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL))
            {
              /* No process uses the filter any more. */
              fprintf (logf, "%d closed\n", which[i]);
              close (p[i].fd);
              p[i] = p[np - 1];
              which[i] = which[np - 1];
              np--;
            }
        }
      if (p[0].revents & POLLIN)
        {
          int conn = accept4 (ls, NULL, NULL, SOCK_CLOEXEC);
          if (conn < 0)
            continue;
          int fd = receive (conn, ++count);
          close (conn);
          if (fd >= 0 && np <= MAX_FDS)
            {
              fprintf (logf, "%d received\n", count);
              p[np] = (struct pollfd){ .fd = fd, .events = POLLIN };
              which[np++] = count;
            }
        }
    }
}
