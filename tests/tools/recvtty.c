/* SPDX-License-Identifier: Apache-2.0 */
/*
 * recvtty: the receiving end of `--console-socket`, for the tests (runc
 * ships a tool of the same name and purpose).
 *
 *   recvtty [-i INPUT] [-w WAITFILE] [-n NAMEFILE] SOCKET
 *
 * Listens on the unix socket SOCKET (replacing a stale one), accepts one
 * connection, receives the pty master with SCM_RIGHTS, writes INPUT (if
 * any) to it, then copies everything the master gives to stdout until the
 * last slave is closed (EIO).
 *
 *   -i INPUT     write INPUT to the master once received
 *   -n NAMEFILE  write the name sent with the fd and the fd's /proc link
 *                ("/dev/ptmx" for a master) to NAMEFILE
 *   -w WAITFILE  first fill the listen backlog with a dummy connection, so
 *                that the runtime's connect() blocks, and accept only once
 *                WAITFILE exists: keeps the runtime (and the process it
 *                has set up) waiting at a point the test chooses.
 *
 * Prints "recvtty: ..." on stderr and exits 1 on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "recvtty: %s: %s\n", what, strerror (errno));
  exit (1);
}

static int
recv_fd (int sock, char *name, size_t name_len)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { .iov_base = name, .iov_len = name_len - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof (u.buf) };
  struct cmsghdr *c;
  ssize_t r;
  int fd;

  r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  if (r < 0)
    die ("recvmsg");
  name[r] = '\0';
  c = CMSG_FIRSTHDR (&mh);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    {
      errno = EPROTO;
      die ("no fd received");
    }
  memcpy (&fd, CMSG_DATA (c), sizeof (int));
  return fd;
}

int
main (int argc, char **argv)
{
  const char *input = NULL, *waitfile = NULL, *namefile = NULL;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int opt, lsock, conn, master, dummy = -1;
  char name[256], buf[8192];

  while ((opt = getopt (argc, argv, "i:w:n:")) != -1)
    switch (opt)
      {
      case 'i': input = optarg; break;
      case 'w': waitfile = optarg; break;
      case 'n': namefile = optarg; break;
      default:
        fprintf (stderr, "usage: recvtty [-i INPUT] [-w WAITFILE] [-n NAMEFILE] SOCKET\n");
        return 2;
      }
  if (optind + 1 != argc || strlen (argv[optind]) >= sizeof (sa.sun_path))
    {
      fprintf (stderr, "usage: recvtty [-i INPUT] [-w WAITFILE] [-n NAMEFILE] SOCKET\n");
      return 2;
    }
  /* Bind under a temporary name and rename once listening: a client that
     sees the socket file can always connect (no ECONNREFUSED window
     between bind and listen). */
  if (strlen (argv[optind]) + 5 >= sizeof (sa.sun_path))
    die ("socket path too long");
  memcpy (sa.sun_path, argv[optind], strlen (argv[optind]));
  memcpy (sa.sun_path + strlen (argv[optind]), ".tmp", 5);
  unlink (sa.sun_path);
  unlink (argv[optind]);
  lsock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lsock < 0)
    die ("socket");
  if (bind (lsock, (struct sockaddr *) &sa, sizeof (sa)) < 0)
    die ("bind");
  if (listen (lsock, waitfile ? 0 : 4) < 0)
    die ("listen");
  if (rename (sa.sun_path, argv[optind]) < 0)
    die ("rename socket");
  strcpy (sa.sun_path, argv[optind]);
  if (waitfile)
    {
      /* With a backlog of 0 the kernel queues one connection: ours. */
      dummy = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (dummy < 0 || connect (dummy, (struct sockaddr *) &sa, sizeof (sa)) < 0)
        die ("connect dummy");
      while (access (waitfile, F_OK) < 0)
        usleep (20000);
      conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC); /* the dummy's */
      if (conn < 0)
        die ("accept");
      close (conn);
    }
  conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    die ("accept");
  master = recv_fd (conn, name, sizeof (name));
  close (conn);
  close (lsock);
  if (dummy >= 0)
    close (dummy);
  if (namefile)
    {
      char proc[64], link[256] = "";
      FILE *f = fopen (namefile, "w");
      ssize_t n;
      snprintf (proc, sizeof (proc), "/proc/self/fd/%d", master);
      n = readlink (proc, link, sizeof (link) - 1);
      if (n >= 0)
        link[n] = '\0';
      if (f == NULL)
        die ("open name file");
      fprintf (f, "%s\n%s\n", name, link);
      fclose (f);
    }
  if (input && write (master, input, strlen (input)) < 0)
    die ("write input");
  for (;;)
    {
      ssize_t n = read (master, buf, sizeof (buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; /* EIO: every slave is closed */
      if (write (1, buf, (size_t) n) < 0)
        die ("write");
    }
  return 0;
}
