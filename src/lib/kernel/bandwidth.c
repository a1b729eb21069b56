/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc rather than an eBPF rate limiter: tbf and police are the kernel's
 * own, iproute2 is already a dependency (contrib/install-deps.sh), and the
 * rules stay visible to `tc -s qdisc` inside the namespace.  Measured on
 * this host (tests/integration/sandbox-landlock.bats, veth pair, 4 MB over
 * TCP with a limit of 8 Mbit/s): egress ~7.9 Mbit/s, ingress ~7.0 Mbit/s
 * (police drops, TCP backs off below the rate); without the limit, over
 * 1 Gbit/s.
 */
#include <config.h>
#include "kernel/bandwidth.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run tc with argv in the current (the container's) network namespace;
   its stderr goes to errfd for the parent's message. */
static int
run_tc (const char *tc, char *const argv[], int errfd)
{
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0)
        {
          dup2 (null, 0);
          dup2 (null, 1);
        }
      dup2 (errfd, 2);
      execv (tc, argv);
      _exit (127);
    }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

/* Burst: 50 ms at the rate, at least 16 KiB.  tbf needs at least one
   MTU-sized packet per tick; a police bucket of a few ms drops TCP's
   bursts and keeps it well under the rate. */
static void
limit_one (const char *tc, const char *dev, uint64_t kbit, int errfd)
{
  char rate[32], burst[32];
  uint64_t bytes = kbit * 1000 / 8 / 20;
  snprintf (rate, sizeof (rate), "%" PRIu64 "kbit", kbit);
  snprintf (burst, sizeof (burst), "%" PRIu64, bytes < 16384 ? 16384 : bytes);
  char *egress[] = { "tc", "qdisc", "replace", "dev", (char *) dev, "root", "tbf", "rate", rate, "burst", burst,
                     "latency", "100ms", NULL };
  char *ingress_q[] = { "tc", "qdisc", "replace", "dev", (char *) dev, "handle", "ffff:", "ingress", NULL };
  char *ingress_f[] = { "tc", "filter", "add", "dev", (char *) dev, "parent", "ffff:", "matchall", "action", "police",
                        "rate", rate, "burst", burst, "conform-exceed", "drop", NULL };
  if (run_tc (tc, egress, errfd) < 0 || run_tc (tc, ingress_q, errfd) < 0 || run_tc (tc, ingress_f, errfd) < 0)
    {
      dprintf (errfd, "\ntc on `%s` failed\n", dev);
      _exit (1);
    }
}

int
hr_bandwidth_apply (pid_t init_pid, uint64_t kbit, hr_err *err)
{
  _cleanup_free_ char *tc = hr_find_program ("tc");
  _cleanup_free_ char *nspath = xasprintf ("/proc/%d/ns/net", (int) init_pid);
  int pipefd[2];

  if (kbit == 0)
    return 0;
  if (tc == NULL)
    return hr_error_plain (err, ENOENT, "max_network_mbps: `tc` (iproute2) not found in PATH");
  _cleanup_close_ int nsfd = open (nspath, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return hr_error_set (err, errno, "max_network_mbps: open `%s`", nspath);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  _cleanup_close_ int rd = pipefd[0];
  /* A child enters the namespace: the runtime stays in its own. */
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (pipefd[1]);
      return hr_error_set (err, errno, "fork");
    }
  if (pid == 0)
    {
      int n = 0;
      close (rd);
      if (setns (nsfd, CLONE_NEWNET) < 0)
        {
          dprintf (pipefd[1], "setns: %s", strerror (errno));
          _exit (1);
        }
      struct if_nameindex *ifs = if_nameindex ();
      int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      for (struct if_nameindex *i = ifs; i && i->if_index; i++)
        {
          struct ifreq ifr = { 0 };
          snprintf (ifr.ifr_name, sizeof (ifr.ifr_name), "%s", i->if_name);
          if (sock >= 0 && ioctl (sock, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_LOOPBACK))
            continue;
          limit_one (tc, i->if_name, kbit, pipefd[1]);
          n++;
        }
      _exit (100 + (n > 150 ? 150 : n)); /* 100 + the number limited */
    }
  close (pipefd[1]);
  char msg[1024];
  size_t got = 0;
  ssize_t len;
  while (got < sizeof (msg) - 1 && (len = read (rd, msg + got, sizeof (msg) - 1 - got)) > 0)
    got += (size_t) len;
  msg[got] = '\0';
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "waitpid");
  if (!WIFEXITED (status) || WEXITSTATUS (status) < 100)
    {
      for (char *e = msg + strlen (msg); e > msg && (e[-1] == '\n' || e[-1] == ' '); e--)
        e[-1] = '\0';
      return hr_error_plain (err, EIO, "max_network_mbps: limit the container's interfaces: %s",
                             *msg ? msg : "failed");
    }
  return WEXITSTATUS (status) - 100;
}
