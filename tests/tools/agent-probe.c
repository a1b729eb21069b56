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
 *   memfd-exec FILE [ARG...]  copy FILE into a memfd and execveat it
 *                             (AT_EMPTY_PATH) in a child: a binary run from
 *                             no path.  ok: it ran and exited 0; else the
 *                             errno of execveat, or "killed: SIGNAME"
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
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* The child's execveat fails with its errno sent through a close-on-exec
   pipe, or succeeds and closes it: the parent then waits for the program. */
static int
memfd_exec (const char *file, char **args)
{
  char buf[65536], *av[64] = { (char *) file };
  ssize_t n;
  int in, fd, p[2], err = 0, st;
  pid_t pid;

  in = open (file, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return fail ("open");
  fd = memfd_create ("agent-probe", MFD_CLOEXEC);
  if (fd < 0)
    return fail ("memfd_create");
  while ((n = read (in, buf, sizeof buf)) > 0)
    if (write (fd, buf, (size_t) n) != n)
      return fail ("write");
  if (n < 0)
    return fail ("read");
  /* argv[0] is the file's name: a multi-call binary runs as that */
  for (int i = 0; args[i] && i < 62; i++)
    av[i + 1] = args[i];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return fail ("pipe2");
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return fail ("fork");
  if (pid == 0)
    {
      syscall (SYS_execveat, fd, "", av, environ, AT_EMPTY_PATH);
      err = errno;
      (void) !write (p[1], &err, sizeof err);
      _exit (127);
    }
  close (p[1]);
  n = read (p[0], &err, sizeof err);
  if (waitpid (pid, &st, 0) < 0)
    return fail ("waitpid");
  if (n == sizeof err)
    {
      errno = err;
      return fail ("execveat");
    }
  if (WIFSIGNALED (st))
    {
      printf ("killed: SIG%s\n", sigabbrev_np (WTERMSIG (st)) ? sigabbrev_np (WTERMSIG (st)) : "?");
      return 1;
    }
  if (WEXITSTATUS (st) != 0)
    {
      printf ("exit %d\n", WEXITSTATUS (st));
      return 1;
    }
  puts ("ok");
  return 0;
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
  if (argc >= 3 && strcmp (argv[1], "memfd-exec") == 0)
    return memfd_exec (argv[2], &argv[3]);
  fprintf (stderr, "usage: agent-probe connect|udp ADDR PORT [MSG] | setuid UID | mmap-exec FILE"
           " | memfd-exec FILE [ARG...]\n");
  return 2;
}
