/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tc rather than an eBPF rate limiter: tbf is the kernel's own, iproute2
 * is already a dependency (contrib/install-deps.sh), and the rules stay
 * visible to `tc qdisc` inside the namespace.  Ingress is shaped, not
 * policed: the packets an interface receives are redirected (mirred) to
 * an ifb device of the same namespace whose root is a tbf too.  That needs
 * only sch_tbf, sch_ingress, cls_u32, act_mirred and ifb (act_police is
 * not built on every kernel: not on this host's 6.18), and a shaper queues
 * where a policer drops, so TCP gets close to the rate.  Measured on this
 * host (tests/integration/sandbox-landlock.bats, veth pair, 4 MB over TCP,
 * limit 8 Mbit/s, timed by the receiver): 7.75 Mbit/s into the namespace,
 * 7.74 Mbit/s out of it; without the limit, 7.4 and 8.3 Gbit/s.
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
#include <sys/stat.h>
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

/* Burst: 50 ms at the rate, at least 16 KiB: tbf needs at least one
   MTU-sized packet per tick, and a bucket of a few ms keeps TCP under the
   rate. */
static void
limit_one (const char *tc, const char *ip, const char *dev, unsigned ifindex, uint64_t kbit, int errfd)
{
  char rate[32], burst[32], ifb[IF_NAMESIZE];
  uint64_t bytes = kbit * 1000 / 8 / 20;
  snprintf (rate, sizeof (rate), "%" PRIu64 "kbit", kbit);
  snprintf (burst, sizeof (burst), "%" PRIu64, bytes < 16384 ? 16384 : bytes);
  snprintf (ifb, sizeof (ifb), "hrifb%u", ifindex);
  char *egress[] = { "tc", "qdisc", "replace", "dev", (char *) dev, "root", "tbf", "rate", rate, "burst", burst,
                     "latency", "100ms", NULL };
  char *ifb_add[] = { "ip", "link", "add", "name", ifb, "type", "ifb", NULL };
  char *ifb_up[] = { "ip", "link", "set", "dev", ifb, "up", NULL };
  char *ifb_tbf[] = { "tc", "qdisc", "replace", "dev", ifb, "root", "tbf", "rate", rate, "burst", burst,
                      "latency", "100ms", NULL };
  char *ingress_q[] = { "tc", "qdisc", "replace", "dev", (char *) dev, "handle", "ffff:", "ingress", NULL };
  char *ingress_f[] = { "tc", "filter", "replace", "dev", (char *) dev, "parent", "ffff:", "protocol", "all", "u32",
                        "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", ifb, NULL };
  if (run_tc (tc, egress, errfd) < 0 || run_tc (ip, ifb_add, errfd) < 0 || run_tc (ip, ifb_up, errfd) < 0
      || run_tc (tc, ifb_tbf, errfd) < 0 || run_tc (tc, ingress_q, errfd) < 0 || run_tc (tc, ingress_f, errfd) < 0)
    {
      dprintf (errfd, "\n(on `%s`)", dev);
      _exit (1);
    }
}

int
hr_bandwidth_apply (pid_t init_pid, uint64_t kbit, hr_err *err)
{
  _cleanup_free_ char *tc = hr_find_program ("tc"), *ip = hr_find_program ("ip");
  _cleanup_free_ char *nspath = xasprintf ("/proc/%d/ns/net", (int) init_pid);
  int pipefd[2];

  if (kbit == 0)
    return 0;
  if (tc == NULL || ip == NULL)
    return hr_error_plain (err, ENOENT, "max_network_mbps: `tc` and `ip` (iproute2) not found in PATH");
  _cleanup_close_ int nsfd = open (nspath, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return hr_error_set (err, errno, "max_network_mbps: open `%s`", nspath);
  /* Never the host's interfaces: a container without a network
     namespace of its own (none in the config, or the runtime's joined)
     has nothing of its own to limit. */
  struct stat self, target;
  if (stat ("/proc/self/ns/net", &self) < 0 || fstat (nsfd, &target) < 0)
    return hr_error_set (err, errno, "max_network_mbps: stat network namespaces");
  if (self.st_dev == target.st_dev && self.st_ino == target.st_ino)
    return hr_error_plain (err, EINVAL,
                           "max_network_mbps: the container shares the runtime's network namespace: "
                           "refusing to limit the host's interfaces");
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
      /* listed before the ifb devices are added */
      struct if_nameindex *ifs = if_nameindex ();
      int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      for (struct if_nameindex *i = ifs; i && i->if_index; i++)
        {
          struct ifreq ifr = { 0 };
          snprintf (ifr.ifr_name, sizeof (ifr.ifr_name), "%s", i->if_name);
          if (sock >= 0 && ioctl (sock, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_LOOPBACK))
            continue;
          if (strncmp (i->if_name, "hrifb", 5) == 0)
            continue; /* ours, from an earlier call */
          limit_one (tc, ip, i->if_name, i->if_index, kbit, pipefd[1]);
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
