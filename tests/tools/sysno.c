/* SPDX-License-Identifier: Apache-2.0 */
/* sysno NR...: make raw syscall NR (arguments that do nothing harmful:
   all zero, or all -1 with a leading '-', e.g. -436) and print
   "NR=ERRNO" (0 when it succeeded), one line each.  Built static, copied
   into a container's rootfs by tests/integration/seccomp.bats to see what
   the seccomp filter returns for syscalls a profile does not name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      long v = a[0] == '-' ? -1 : 0;
      long nr = strtol (a[0] == '-' ? a + 1 : a, NULL, 0);
      errno = 0;
      long r = syscall (nr, v, v, v, v, v, v);
      printf ("%ld=%d\n", nr, r < 0 ? errno : 0);
    }
  return 0;
}
