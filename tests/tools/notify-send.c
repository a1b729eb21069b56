/* SPDX-License-Identifier: Apache-2.0 */
/* notify-send MSG...: sd_notify(3) from inside a container, for
   tests/integration/notify.bats (busybox has nothing that writes to a
   unix datagram socket).  Each MSG is one datagram to $NOTIFY_SOCKET
   (a path or @name); "\n" in MSG stays two characters unless given as a
   real newline.  Static, for the busybox rootfs. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  const char *addr = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  socklen_t len;
  int s;

  if (addr == NULL || strlen (addr) >= sizeof (sa.sun_path))
    {
      fprintf (stderr, "notify-send: no usable NOTIFY_SOCKET\n");
      return 2;
    }
  memcpy (sa.sun_path, addr, strlen (addr));
  len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (addr));
  if (addr[0] == '@')
    sa.sun_path[0] = '\0';
  else
    len++;
  s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    {
      perror ("notify-send: socket");
      return 1;
    }
  for (int i = 1; i < argc; i++)
    if (sendto (s, argv[i], strlen (argv[i]), 0, (struct sockaddr *) &sa, len) < 0)
      {
        perror ("notify-send: sendto");
        return 1;
      }
  return 0;
}
