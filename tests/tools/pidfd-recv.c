/* SPDX-License-Identifier: Apache-2.0 */
/* pidfd-recv PATH: the receiving end of --pidfd-socket
   (tests/integration/pidfd-socket.bats).  Listens on a unix stream socket
   at PATH, prints "listening", accepts one connection and takes the fd it
   carries (SCM_RIGHTS), then prints:
     payload=<the message's data>
     link=<readlink of the fd>      what the kernel says it is
     pid=<Pid: of its fdinfo>       a pidfd's fdinfo names its process
   and waits, with poll(2), until the fd is readable, which for a pidfd
   means the process exited: prints "exited". */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char buf[256], cbuf[CMSG_SPACE (sizeof (int))], path[64], line[256], link[256];
  int s, c, fd = -1;

  if (argc != 2 || strlen (argv[1]) >= sizeof (sa.sun_path))
    {
      fprintf (stderr, "usage: pidfd-recv PATH\n");
      return 2;
    }
  strcpy (sa.sun_path, argv[1]);
  s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &sa, sizeof (sa)) < 0 || listen (s, 1) < 0)
    {
      perror ("pidfd-recv: listen");
      return 1;
    }
  printf ("listening\n");
  fflush (stdout);
  c = accept4 (s, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    {
      perror ("pidfd-recv: accept");
      return 1;
    }
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof (buf) - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
  ssize_t n = recvmsg (c, &mh, MSG_CMSG_CLOEXEC);
  if (n < 0)
    {
      perror ("pidfd-recv: recvmsg");
      return 1;
    }
  buf[n] = '\0';
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy (&fd, CMSG_DATA (cm), sizeof (int));
  printf ("payload=%s\n", buf);
  if (fd < 0)
    {
      printf ("no fd\n");
      return 1;
    }
  snprintf (path, sizeof (path), "/proc/self/fd/%d", fd);
  ssize_t l = readlink (path, link, sizeof (link) - 1);
  link[l < 0 ? 0 : l] = '\0';
  printf ("link=%s\n", link);
  snprintf (path, sizeof (path), "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen (path, "re");
  while (f && fgets (line, sizeof (line), f))
    if (strncmp (line, "Pid:", 4) == 0)
      printf ("pid=%d\n", atoi (line + 4));
  if (f)
    fclose (f);
  fflush (stdout);
  struct pollfd p = { .fd = fd, .events = POLLIN };
  while (poll (&p, 1, -1) < 0)
    if (errno != EINTR)
      {
        perror ("pidfd-recv: poll");
        return 1;
      }
  printf ("exited\n");
  return 0;
}
