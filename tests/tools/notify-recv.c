/* SPDX-License-Identifier: Apache-2.0 */
/* notify-recv ADDR: the service manager's end of NOTIFY_SOCKET for
   tests/integration/notify.bats.  Binds a datagram socket at ADDR (a
   path, or @name for an abstract address), prints "bound", then one line
   per datagram (its text, a trailing newline dropped, " +fd" for each fd
   it carried, which is closed at once: that answers a BARRIER=1). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  socklen_t len;
  int s;

  if (argc != 2 || strlen (argv[1]) >= sizeof (sa.sun_path))
    {
      fprintf (stderr, "usage: notify-recv PATH|@NAME\n");
      return 2;
    }
  memcpy (sa.sun_path, argv[1], strlen (argv[1]));
  len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (argv[1]));
  if (argv[1][0] == '@')
    sa.sun_path[0] = '\0';
  else
    len++;
  s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &sa, len) < 0)
    {
      perror ("notify-recv: bind");
      return 1;
    }
  printf ("bound\n");
  fflush (stdout);
  for (;;)
    {
      char buf[8192], cbuf[CMSG_SPACE (sizeof (int) * 8)];
      struct iovec iov = { .iov_base = buf, .iov_len = sizeof (buf) - 1 };
      struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof (cbuf) };
      ssize_t n = recvmsg (s, &mh, MSG_CMSG_CLOEXEC);
      if (n < 0)
        {
          perror ("notify-recv: recvmsg");
          return 1;
        }
      if (n > 0 && buf[n - 1] == '\n')
        n--;
      buf[n] = '\0';
      fputs (buf, stdout);
      for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
          for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++)
            {
              int fd;
              memcpy (&fd, CMSG_DATA (cm) + i * sizeof (int), sizeof (int));
              fputs (" +fd", stdout);
              close (fd);
            }
      putchar ('\n');
      fflush (stdout);
    }
}
