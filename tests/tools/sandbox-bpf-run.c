/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox-bpf-run: loads the sandbox's eBPF programs (sandbox_bpf.h) for a
 * cgroup2 directory, runs a command in that cgroup and prints every audit
 * record as one line until the command has exited
 * (tests/integration/sandbox-bpf.bats).
 *
 *   sandbox-bpf-run [OPTIONS] CGROUP_DIR -- COMMAND [ARG...]
 *   sandbox-bpf-run --probe
 *
 *   --audit --detailed --network --filter
 *   --files PREFIX           file events under PREFIX (repeatable)
 *   --allow ADDR[/LEN]:PORT  an allow-list entry; [v6] in brackets; port 0 = any
 *   --block FILE             FILE's inode is a dedicated blocked command
 *   --block-multi FILE       FILE's inode is a multi-call binary
 *   --name NAME              a blocked command name
 *   --confine-exec           the guard also stops the exec of a memfd
 *
 * CGROUP_DIR is created if missing (the caller removes it).  The exit
 * status is the command's (128 + signal when killed).  Lines:
 *   features lsm=0|1 tracepoints=.. sock_addr=.. ringbuf=..   (stderr)
 *   exec pid= ppid= nspid= nsppid= uid= gid= comm= path= argv=a|b|c
 *   exit pid= nspid= status=
 *   connect pid= nspid= syscall= addr= port= allowed= err=
 *   file pid= nspid= op= path=
 *   priv pid= nspid= syscall= id= err=
 *   violation pid= nspid= rule= syscall= err= path= what=
 * (pid, ppid: host pids; nspid, nsppid: in the process's pid namespace)
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "sandbox/sandbox_bpf.h"

#define MAX 32

static int
print_record (const struct hr_audit_record *r, void *arg)
{
  (void) arg;
  switch (r->type)
    {
    case HR_AUDIT_EXEC:
      printf ("exec pid=%d ppid=%d nspid=%d nsppid=%d uid=%u gid=%u comm=%s path=%s argv=", r->pid, r->ppid, r->ns_pid,
              r->ns_ppid, r->uid, r->gid, r->comm, r->path ? r->path : "");
      for (size_t i = 0; i < r->argc; i++)
        printf ("%s%s", i ? "|" : "", r->argv[i]);
      printf ("\n");
      break;
    case HR_AUDIT_EXIT:
      printf ("exit pid=%d nspid=%d status=%d\n", r->pid, r->ns_pid, r->exit_code);
      break;
    case HR_AUDIT_CONNECT:
      printf ("connect pid=%d nspid=%d syscall=%s addr=%s port=%u allowed=%d err=%d\n", r->pid, r->ns_pid,
              r->syscall ? r->syscall : "", r->addr, r->port, r->allowed, r->err);
      break;
    case HR_AUDIT_FILE:
      printf ("file pid=%d nspid=%d op=%s path=%s\n", r->pid, r->ns_pid, r->op, r->path);
      break;
    case HR_AUDIT_PRIV:
      printf ("priv pid=%d nspid=%d syscall=%s id=%ld err=%d\n", r->pid, r->ns_pid, r->syscall ? r->syscall : "",
              r->new_id, r->err);
      break;
    case HR_AUDIT_VIOLATION:
      printf ("violation pid=%d nspid=%d rule=%s syscall=%s err=%d path=%s what=%s\n", r->pid, r->ns_pid,
              r->rule ? r->rule : "", r->syscall ? r->syscall : "", r->err, r->path ? r->path : "",
              r->what ? r->what : "");
      break;
    }
  fflush (stdout);
  return 0;
}

static int
parse_dest (const char *s, struct hr_policy_dest *d)
{
  char buf[128], *port, *slash;

  memset (d, 0, sizeof *d);
  d->text = (char *) s;
  if (snprintf (buf, sizeof buf, "%s", s) >= (int) sizeof buf || (port = strrchr (buf, ':')) == NULL)
    return -1;
  *port++ = 0;
  d->port = atoi (port);
  char *host = buf;
  if (*host == '[')
    {
      host++;
      char *close = strchr (host, ']');
      if (close == NULL)
        return -1;
      *close = 0;
    }
  slash = strchr (host, '/');
  if (slash)
    *slash++ = 0;
  if (inet_pton (AF_INET, host, d->addr) == 1)
    d->family = AF_INET;
  else if (inet_pton (AF_INET6, host, d->addr) == 1)
    d->family = AF_INET6;
  else
    return -1;
  d->prefix = slash ? atoi (slash) : (d->family == AF_INET ? 32 : 128);
  return 0;
}

static void
usage (void)
{
  fprintf (stderr, "usage: sandbox-bpf-run [OPTIONS] CGROUP_DIR -- COMMAND [ARG...]\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  struct hr_bpf_config cfg = { .cgroup_fd = -1 };
  const char *monitored[MAX], *names[MAX];
  struct hr_policy_dest allow[MAX];
  struct hr_blocked_exe blocked[MAX];
  struct hr_bpf_features f;
  struct hr_sandbox_bpf *b = NULL;
  hr_err err = NULL;
  int i, go[2], status = 0;
  pid_t child;

  /* As the audit process does: securityfs, mounted privately
     where the host has none. */
  if (hr_sandbox_bpf_kernel_fs (&err) < 0)
    {
      fprintf (stderr, "sandbox-bpf-run: %s\n", err->msg);
      /* (freed: the sanitizer lane's leak check fails an exit that leaks) */
      hr_error_free (&err);
      return 1;
    }
  for (i = 1; i < argc && argv[i][0] == '-' && strcmp (argv[i], "--") != 0; i++)
    {
      const char *o = argv[i];
      if (strcmp (o, "--probe") == 0)
        {
          hr_sandbox_bpf_probe (&f);
          printf ("features lsm=%d tracepoints=%d sock_addr=%d ringbuf=%d\n", f.bpf_lsm, f.tracepoints, f.sock_addr,
                  f.ringbuf);
          return 0;
        }
      else if (strcmp (o, "--audit") == 0)
        cfg.audit = true;
      else if (strcmp (o, "--detailed") == 0)
        cfg.detailed = true;
      else if (strcmp (o, "--network") == 0)
        cfg.monitor_network = true;
      else if (strcmp (o, "--filter") == 0)
        cfg.net_filter = true;
      else if (strcmp (o, "--confine-exec") == 0)
        cfg.confine_exec = true;
      else if (i + 1 >= argc || cfg.n_monitored >= MAX || cfg.n_allow >= MAX || cfg.n_blocked >= MAX
               || cfg.n_blocked_names >= MAX)
        usage ();
      else if (strcmp (o, "--files") == 0)
        {
          cfg.monitor_files = true;
          monitored[cfg.n_monitored++] = argv[++i];
        }
      else if (strcmp (o, "--allow") == 0)
        {
          if (parse_dest (argv[++i], &allow[cfg.n_allow++]) < 0)
            usage ();
        }
      else if (strcmp (o, "--block") == 0 || strcmp (o, "--block-multi") == 0)
        {
          struct stat st;
          if (stat (argv[i + 1], &st) < 0)
            {
              perror (argv[i + 1]);
              return 2;
            }
          blocked[cfg.n_blocked++] = (struct hr_blocked_exe){ st.st_dev, st.st_ino, strcmp (o, "--block-multi") == 0 };
          i++;
        }
      else if (strcmp (o, "--name") == 0)
        names[cfg.n_blocked_names++] = argv[++i];
      else
        usage ();
    }
  if (i + 2 >= argc || strcmp (argv[i + 1], "--") != 0)
    usage ();
  const char *cgroup = argv[i];
  char **cmd = &argv[i + 2];

  cfg.monitored = monitored;
  cfg.allow = allow;
  cfg.blocked = blocked;
  cfg.blocked_names = names;
  if (mkdir (cgroup, 0755) < 0 && errno != EEXIST)
    {
      perror (cgroup);
      return 2;
    }
  cfg.cgroup_fd = open (cgroup, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cfg.cgroup_fd < 0)
    {
      perror (cgroup);
      return 2;
    }
  if (hr_sandbox_bpf_load (&cfg, &b, &err) < 0)
    {
      fprintf (stderr, "sandbox-bpf-run: %s\n", err->msg);
      hr_error_free (&err);
      return 2;
    }
  hr_sandbox_bpf_features_of (b, &f);
  fprintf (stderr, "features lsm=%d tracepoints=%d sock_addr=%d ringbuf=%d\n", f.bpf_lsm, f.tracepoints, f.sock_addr,
           f.ringbuf);

  /* The child enters the cgroup, then waits for the go: nothing it execs
     happens before it is in the cgroup. */
  if (pipe2 (go, O_CLOEXEC) < 0)
    return 2;
  child = fork ();
  if (child < 0)
    return 2;
  if (child == 0)
    {
      char path[4096], c;
      snprintf (path, sizeof path, "%s/cgroup.procs", cgroup);
      int fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, "0", 1) != 1)
        {
          perror (path);
          _exit (126);
        }
      close (fd);
      close (go[1]);
      if (read (go[0], &c, 1) != 1)
        _exit (126);
      execvp (cmd[0], cmd);
      perror (cmd[0]);
      _exit (127);
    }
  close (go[0]);
  if (write (go[1], "g", 1) != 1)
    return 2;
  close (go[1]);

  struct pollfd pfd = { .fd = hr_sandbox_bpf_fd (b), .events = POLLIN };
  bool done = false;
  int drain = 0;
  while (drain < 3)
    {
      poll (&pfd, 1, 100);
      if (hr_sandbox_bpf_consume (b, print_record, NULL, &err) < 0)
        {
          fprintf (stderr, "sandbox-bpf-run: %s\n", err->msg);
          hr_error_free (&err);
          hr_sandbox_bpf_free (b);
          return 2;
        }
      if (!done && waitpid (child, &status, WNOHANG) == child)
        done = true;
      if (done)
        drain++;
    }
  hr_sandbox_bpf_free (b);
  close (cfg.cgroup_fd);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
