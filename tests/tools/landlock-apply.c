/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landlock-apply: applies the runtime's Landlock step (hr_landlock_apply,
 * what STEP_LANDLOCK runs in the container's init) to itself from a
 * policy given on the command line, then execs a command, so that
 * tests/integration/sandbox-landlock.bats checks the enforcement for
 * real without the policy parser.
 *
 *   landlock-apply [-r ROOT] [-w WRITABLE]... [-x EXEC_PATH]... [-b BLOCKED]...
 *                  [-p PORT]... [-j] -- COMMAND [ARG]...
 *
 * -r: chroot into ROOT first, as the init is in its rootfs after
 * pivot_root (needs root); -p: allow_internet as a list of 127.0.0.1:PORT;
 * -j: print the report (hr_landlock_report_json) on stdout first;
 * -n: first make the landlock syscalls fail with ENOSYS (a seccomp filter),
 * as on a kernel built without Landlock.
 */
#include <config.h>
#include "kernel/landlock.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX 64

int
main (int argc, char **argv)
{
  char *writable[MAX], *exec_paths[MAX], *blocked[MAX];
  struct hr_policy_dest allow[MAX];
  struct hr_policy p = { .writable = writable, .exec_paths = exec_paths, .blocked = blocked, .allow = allow };
  const char *root = NULL;
  bool json = false, no_landlock = false;
  int c;

  while ((c = getopt (argc, argv, "+r:w:x:b:p:jn")) != -1)
    {
      if (p.n_writable == MAX || p.n_exec == MAX || p.n_blocked == MAX || p.n_allow == MAX)
        break;
      switch (c)
        {
        case 'r': root = optarg; break;
        case 'w': writable[p.n_writable++] = optarg; break;
        case 'x': exec_paths[p.n_exec++] = optarg; break;
        case 'b': blocked[p.n_blocked++] = optarg; break;
        case 'p':
          allow[p.n_allow++] = (struct hr_policy_dest){ .text = optarg, .family = 2, .addr = { 127, 0, 0, 1 },
                                                        .prefix = 32, .port = (uint16_t) atoi (optarg) };
          break;
        case 'j': json = true; break;
        case 'n': no_landlock = true; break;
        default:
          fprintf (stderr, "usage: landlock-apply [-r ROOT] [-w PATH]... [-x PATH]... [-b NAME]... [-p PORT]... [-j] [-n] -- CMD...\n");
          return 2;
        }
    }
  if (optind >= argc)
    {
      fprintf (stderr, "landlock-apply: no command\n");
      return 2;
    }
  if (root && (chroot (root) < 0 || chdir ("/") < 0))
    {
      perror ("landlock-apply: chroot");
      return 1;
    }
  if (no_landlock)
    {
      scmp_filter_ctx f = seccomp_init (SCMP_ACT_ALLOW);
      if (f == NULL || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || seccomp_rule_add (f, SCMP_ACT_ERRNO (ENOSYS), seccomp_syscall_resolve_name ("landlock_create_ruleset"), 0) < 0
          || seccomp_load (f) < 0)
        {
          fprintf (stderr, "landlock-apply: seccomp\n");
          return 1;
        }
      seccomp_release (f);
    }
  int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct hr_landlock_report r;
  hr_err err = NULL;
  if (rootfd < 0 || hr_landlock_apply (rootfd, &p, &r, &err) < 0)
    {
      fprintf (stderr, "landlock-apply: %s\n", err ? err->msg : "open /");
      return 1;
    }
  if (json)
    {
      char *j = hr_landlock_report_json (&r);
      printf ("%s\n", j ? j : "null");
      fflush (stdout);
      free (j);
    }
  execvp (argv[optind], argv + optind);
  perror ("landlock-apply: exec");
  return 127;
}
