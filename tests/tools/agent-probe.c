/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent-probe: what an untrusted agent tries inside a sandboxed container
 * (tests/integration/sandbox*.bats).  Static, so that it runs in the
 * busybox rootfs.  Each subcommand prints "ok" or the errno name and
 * exits 0 or 1:
 *   connect ADDR PORT [MSG]   TCP connect (v4 or v6), send MSG, print the reply
 *   udp ADDR PORT             sendto one datagram
 *   setuid UID                setuid(2)
 *   mmap-exec FILE            map FILE with PROT_EXEC (what ld.so does)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int
fail (const char *what)
{
  printf ("%s: %s\n", what, strerrorname_np (errno) ? strerrorname_np (errno) : "?");
  return 1;
}

static int
sockaddr_of (const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
  struct sockaddr_in *v4 = (struct sockaddr_in *) ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) ss;

  memset (ss, 0, sizeof *ss);
  if (inet_pton (AF_INET, addr, &v4->sin_addr) == 1)
    {
      v4->sin_family = AF_INET;
      v4->sin_port = htons ((unsigned short) atoi (port));
      *len = sizeof *v4;
      return AF_INET;
    }
  if (inet_pton (AF_INET6, addr, &v6->sin6_addr) == 1)
    {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons ((unsigned short) atoi (port));
      *len = sizeof *v6;
      return AF_INET6;
    }
  fprintf (stderr, "bad address %s\n", addr);
  exit (2);
}

int
main (int argc, char **argv)
{
  if (argc >= 4 && (strcmp (argv[1], "connect") == 0 || strcmp (argv[1], "udp") == 0))
    {
      struct sockaddr_storage ss;
      socklen_t len;
      bool tcp = strcmp (argv[1], "connect") == 0;
      int fam = sockaddr_of (argv[2], argv[3], &ss, &len);
      int fd = socket (fam, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
      if (fd < 0)
        return fail ("socket");
      if (!tcp)
        return sendto (fd, "x", 1, 0, (struct sockaddr *) &ss, len) < 0 ? fail ("sendto") : (puts ("ok"), 0);
      if (connect (fd, (struct sockaddr *) &ss, len) < 0)
        return fail ("connect");
      if (argc >= 5)
        {
          char buf[4096];
          ssize_t n;
          if (write (fd, argv[4], strlen (argv[4])) < 0)
            return fail ("write");
          shutdown (fd, SHUT_WR);
          while ((n = read (fd, buf, sizeof buf)) > 0)
            fwrite (buf, 1, (size_t) n, stdout);
        }
      puts ("ok");
      return 0;
    }
  if (argc == 3 && strcmp (argv[1], "setuid") == 0)
    return setuid ((uid_t) atoi (argv[2])) < 0 ? fail ("setuid") : (puts ("ok"), 0);
  if (argc == 3 && strcmp (argv[1], "mmap-exec") == 0)
    {
      int fd = open (argv[2], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return fail ("open");
      void *p = mmap (NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
      return p == MAP_FAILED ? fail ("mmap") : (puts ("ok"), 0);
    }
  fprintf (stderr, "usage: agent-probe connect|udp ADDR PORT [MSG] | setuid UID | mmap-exec FILE\n");
  return 2;
}
