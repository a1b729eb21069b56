/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp-dump PID: print the seccomp filters the kernel holds for PID,
   newest first, one line each: "<count> <hex of the instructions>".
   Read with ptrace(PTRACE_SECCOMP_GET_FILTER) (needs CAP_SYS_ADMIN), so
   it is the program as loaded, whatever the runtime says it loaded
   (tests/integration/seccomp-cache.bats). */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

int
main (int argc, char **argv)
{
  int status, ret = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: seccomp-dump PID\n");
      return 2;
    }
  pid_t pid = (pid_t) strtol (argv[1], NULL, 10);
  /* Stopped (PTRACE_INTERRUPT), as PTRACE_SECCOMP_GET_FILTER requires. */
  if (ptrace (PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace (PTRACE_INTERRUPT, pid, 0, 0) < 0)
    {
      perror ("seccomp-dump: attach");
      return 1;
    }
  if (waitpid (pid, &status, __WALL) < 0)
    {
      perror ("seccomp-dump: waitpid");
      return 1;
    }
  for (unsigned long i = 0;; i++)
    {
      long n = ptrace ((enum __ptrace_request) PTRACE_SECCOMP_GET_FILTER, pid, (void *) i, NULL);
      if (n < 0)
        {
          if (errno != ENOENT || i == 0)
            {
              perror ("seccomp-dump: PTRACE_SECCOMP_GET_FILTER");
              ret = 1;
            }
          break;
        }
      struct sock_filter *f = calloc ((size_t) n, sizeof (*f));
      if (f == NULL || ptrace ((enum __ptrace_request) PTRACE_SECCOMP_GET_FILTER, pid, (void *) i, f) != n)
        {
          perror ("seccomp-dump: PTRACE_SECCOMP_GET_FILTER");
          free (f);
          ret = 1;
          break;
        }
      printf ("%ld ", n);
      const unsigned char *b = (const unsigned char *) f;
      for (size_t k = 0; k < (size_t) n * sizeof (*f); k++)
        printf ("%02x", b[k]);
      printf ("\n");
      free (f);
    }
  if (ptrace (PTRACE_DETACH, pid, 0, 0) < 0)
    {
      perror ("seccomp-dump: detach");
      ret = 1;
    }
  return ret;
}
