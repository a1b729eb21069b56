/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bandwidth-apply PID KBIT: hr_bandwidth_apply on the network namespace
 * of PID, as create does for max_network_mbps; prints the number of
 * interfaces limited (tests/integration/sandbox-landlock.bats).
 */
#include <config.h>
#include "kernel/bandwidth.h"

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  hr_err err = NULL;
  if (argc != 3)
    {
      fprintf (stderr, "usage: bandwidth-apply PID KBIT\n");
      return 2;
    }
  int n = hr_bandwidth_apply ((pid_t) atoi (argv[1]), strtoull (argv[2], NULL, 10), &err);
  if (n < 0)
    {
      fprintf (stderr, "bandwidth-apply: %s\n", err->msg);
      return 1;
    }
  printf ("%d%s\n", n, n == 0 ? " (" HR_BANDWIDTH_NO_INTERFACE ")" : "");
  return 0;
}
