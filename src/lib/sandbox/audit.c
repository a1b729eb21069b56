/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-container audit process (audit.h).  create forks it twice (it
 * is nobody's child but the reaper's: it must outlive create, as the
 * container's init does) and waits until the eBPF programs are attached,
 * so that the container's first process is already on record.  delete
 * stops it: on SIGTERM it drains the ring buffer, writes a last line and
 * exits.  It lives outside the container's namespaces and cgroup, so no
 * process inside can signal, ptrace or starve it.
 */
#include <config.h>
#include "sandbox/audit.h"
#include "state/state.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the audit process tells create once (sized, checked: the pipe
   carries exactly one of these). */
struct ready_msg
{
  int32_t status;          /* 0: attached; else the errno of the failure */
  int32_t pid;
  struct hr_bpf_features features;
  char msg[512];
};

/* The state dir's log: the stream `events --audit` follows.  Rotated so a
   long-lived chatty container cannot fill the state root (a tmpfs). */
#define STATE_LOG_MAX_BYTES (16ull << 20)
#define STATE_LOG_KEEP 1

struct audit_run
{
  const char *id;
  int rootfd;
  const struct hr_blocked_exe *blocked;
  size_t n_blocked;
  struct hr_audit_log state_log, policy_log;
  bool has_policy_log;
  bool write;                         /* audit on (else only the guard and filter run) */
};

static void
emit_line (struct audit_run *r, const char *line)
{
  hr_err err = NULL;

  if (!r->write)
    return;
  /* A full disk must not stop the other copy, nor the process. */
  if (hr_audit_log_write (&r->state_log, line, &err) < 0)
    hr_error_free (&err);
  if (r->has_policy_log && hr_audit_log_write (&r->policy_log, line, &err) < 0)
    hr_error_free (&err);
}

/* Landlock refuses a blocked command's dedicated file at open, before
   any eBPF hook sees the exec: the kernel reports EACCES, which alone
   reads as "not in an executable path".  The file's identity says which
   rule it was (looked up in the container's root, after the fact: only
   the report depends on it). */
static bool
is_blocked_file (const struct audit_run *r, const char *path)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  struct stat st;
  _cleanup_close_ int fd = -1;

  if (r->rootfd < 0 || path == NULL || r->n_blocked == 0)
    return false;
  fd = (int) syscall (SYS_openat2, r->rootfd, path, &how, sizeof how);
  if (fd < 0 || fstat (fd, &st) < 0)
    return false;
  for (size_t i = 0; i < r->n_blocked; i++)
    if (r->blocked[i].dev == (uint64_t) st.st_dev && r->blocked[i].ino == (uint64_t) st.st_ino)
      return true;
  return false;
}

static int
on_record (const struct hr_audit_record *in, void *arg)
{
  struct audit_run *r = arg;
  struct hr_audit_record copy;
  const struct hr_audit_record *rec = in;
  _cleanup_free_ char *what = NULL;

  if (in->type == HR_AUDIT_VIOLATION && in->rule && strcmp (in->rule, "executable_paths") == 0
      && is_blocked_file (r, in->path))
    {
      copy = *in;
      copy.rule = "blocked_commands";
      copy.what = what = xasprintf ("exec of %s, a blocked command's file, refused by Landlock", in->path);
      rec = &copy;
    }
  /* The container's pids come with the record, read by the BPF side at
     the event: a process that never exec'd (busybox forks applets) or is
     gone by now has them too. */
  _cleanup_free_ char *line = hr_audit_record_json (rec, r->id, rec->ns_pid, rec->ns_ppid);

  emit_line (r, line);
  return 0;
}

static void
emit_marker (struct audit_run *r, const char *type, const char *body)
{
  struct timespec ts;
  char when[40];

  clock_gettime (CLOCK_REALTIME, &ts);
  hr_audit_time ((uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec, when);
  _cleanup_free_ char *line = body ? xasprintf ("{\"time\":\"%s\",\"container\":\"%s\",\"type\":\"%s\",\"sandbox\":%s}",
                                                when, r->id, type, body)
                                   : xasprintf ("{\"time\":\"%s\",\"container\":\"%s\",\"type\":\"%s\"}", when, r->id, type);
  emit_line (r, line);
  hr_err err = NULL;
  if (r->write && hr_audit_log_flush (&r->state_log, &err) < 0)
    hr_error_free (&err);
  if (r->has_policy_log && hr_audit_log_flush (&r->policy_log, &err) < 0)
    hr_error_free (&err);
}

/* Every fd but the ones in KEEP closed: the audit process is a fork of
   the CLI, which may hold the state dir's lock, the init's sockets, a
   pty; holding any of them would hang delete or the engine. */
static void
close_all_but (const int *keep, size_t n)
{
  _cleanup_closedir_ DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int self;

  if (d == NULL)
    return;
  self = dirfd (d);
  while ((e = readdir (d)))
    {
      int fd = atoi (e->d_name);
      bool k = fd <= 2 || fd == self || e->d_name[0] == '.';
      for (size_t i = 0; !k && i < n; i++)
        k = keep[i] == fd;
      if (!k)
        close (fd);
    }
}

static void
send_ready (int wfd, int status, const struct hr_bpf_features *f, const char *msg)
{
  struct ready_msg m = { .status = status, .pid = getpid () };

  if (f)
    m.features = *f;
  if (msg)
    snprintf (m.msg, sizeof m.msg, "%s", msg);
  (void) hr_write_all (wfd, &m, sizeof m);
}

/* audit.file as (directory fd, last component).  The policy parser
   keeps it beneath HR_AUDIT_FILE_DIR; the directories below are walked
   without symlinks (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a
   policy, which an engine may take from its users, cannot make host root
   write anywhere else. */
static int
open_parent (const char *path, const char **base, hr_err *err)
{
  size_t pre = strlen (HR_AUDIT_FILE_DIR) + 1;
  const char *rel = path + pre, *slash;
  _cleanup_close_ int top = -1;
  _cleanup_free_ char *dir = NULL;
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  int fd;

  if (strncmp (path, HR_AUDIT_FILE_DIR "/", pre) != 0 || *rel == '\0')
    return hr_error_plain (err, EINVAL, "audit.file `%s` is not beneath " HR_AUDIT_FILE_DIR, path);
  if (mkdir (HR_AUDIT_FILE_DIR, 0700) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "mkdir " HR_AUDIT_FILE_DIR);
  top = open (HR_AUDIT_FILE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top < 0)
    return hr_error_set (err, errno, "open " HR_AUDIT_FILE_DIR);
  slash = strrchr (rel, '/');
  dir = slash ? xasprintf ("%.*s", (int) (slash - rel), rel) : xstrdup (".");
  fd = (int) syscall (SYS_openat2, top, dir, &how, sizeof how);
  if (fd < 0)
    return hr_error_set (err, errno, "open the directory of audit.file `%s`", path);
  *base = slash ? slash + 1 : rel;
  return fd;
}

static void
bpf_config_of (const struct hr_audit_args *a, int cgfd, struct hr_bpf_config *c)
{
  const struct hr_policy *p = a->policy;

  *c = (struct hr_bpf_config){
    .cgroup_fd = cgfd,
    .audit = p->audit != HR_AUDIT_OFF,
    .detailed = p->audit == HR_AUDIT_DETAILED,
    .monitor_files = p->audit != HR_AUDIT_OFF && p->monitor_files,
    .monitor_network = p->audit != HR_AUDIT_OFF && p->monitor_network,
    .monitored = (const char *const *) p->writable,
    .n_monitored = p->n_writable,
    .net_filter = !p->internet,
    .allow = p->allow,
    .n_allow = p->n_allow,
    .blocked = a->blocked,
    .n_blocked = a->n_blocked,
    .blocked_names = (const char *const *) p->blocked,
    .n_blocked_names = p->n_blocked,
    /* executable_paths holds for a memfd only through the guard */
    .confine_exec = p->n_exec > 0,
  };
}

static int
audit_run (const struct hr_audit_args *a, int wfd)
{
  _cleanup_close_ int dirfd = -1, cgfd = -1, polfd = -1, sfd = -1, ep = -1;
  _cleanup_ (hr_sandbox_bpf_freep) struct hr_sandbox_bpf *bpf = NULL;
  struct audit_run r = { .id = a->id, .rootfd = a->rootfd, .blocked = a->blocked, .n_blocked = a->n_blocked,
                         .state_log = { .fd = -1 }, .policy_log = { .fd = -1 } };
  struct hr_bpf_config bc;
  struct hr_bpf_features f = { 0 };
  const char *base = NULL;
  hr_err err = NULL;
  sigset_t mask;

  /* A new open file description of the state dir: the CLI's may carry
     its flock, which must not outlive the CLI. */
  dirfd = openat (a->state_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cgfd = open (a->cgroup2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 || cgfd < 0)
    {
      hr_error_set (&err, errno, "open %s", dirfd < 0 ? "the state dir" : a->cgroup2_dir);
      goto fail;
    }
  if (a->policy->audit_file && (polfd = open_parent (a->policy->audit_file, &base, &err)) < 0)
    goto fail;
  {
    int keep[] = { wfd, dirfd, cgfd, polfd, a->rootfd };
    close_all_but (keep, sizeof keep / sizeof keep[0]);
  }
  sigemptyset (&mask);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sfd < 0)
    {
      hr_error_set (&err, errno, "signalfd");
      goto fail;
    }
  r.write = a->policy->audit != HR_AUDIT_OFF;
  if (r.write && hr_audit_log_open (&r.state_log, dirfd, HR_AUDIT_LOG, STATE_LOG_MAX_BYTES, STATE_LOG_KEEP, &err) < 0)
    goto fail;
  if (r.write && polfd >= 0)
    {
      uint64_t max = a->policy->audit_max_bytes;
      if (hr_audit_log_open (&r.policy_log, polfd, base, max, max ? a->policy->audit_keep : 0, &err) < 0)
        goto fail;
      r.has_policy_log = true;
    }
  bpf_config_of (a, cgfd, &bc);
  if (hr_sandbox_bpf_kernel_fs (&err) < 0 || hr_sandbox_bpf_load (&bc, &bpf, &err) < 0)
    goto fail;
  hr_sandbox_bpf_features_of (bpf, &f);
  emit_marker (&r, "sandbox", a->report_json);
  send_ready (wfd, 0, &f, NULL);
  close (wfd);

  ep = epoll_create1 (EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = hr_sandbox_bpf_fd (bpf) };
  if (ep < 0 || epoll_ctl (ep, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
    _exit (1);
  ev.data.fd = sfd;
  if (epoll_ctl (ep, EPOLL_CTL_ADD, sfd, &ev) < 0)
    _exit (1);
  for (;;)
    {
      struct epoll_event got[2];
      /* The programs wake us only when the ring fills up (event_send in
         sandbox.bpf.c): a short timeout drains it the rest of the time,
         so `events --audit` lags by at most ~100 ms. */
      int n = epoll_wait (ep, got, 2, 100);
      bool stop = false;
      if (n < 0 && errno != EINTR)
        break;
      for (int i = 0; i < n; i++)
        stop |= got[i].data.fd == sfd;
      if (hr_sandbox_bpf_consume (bpf, on_record, &r, &err) < 0)
        hr_error_free (&err);
      /* A batch's lines in one write per log, once the ring is drained. */
      if (r.write && hr_audit_log_flush (&r.state_log, &err) < 0)
        hr_error_free (&err);
      if (r.has_policy_log && hr_audit_log_flush (&r.policy_log, &err) < 0)
        hr_error_free (&err);
      if (stop)
        break;
    }
  /* What the kernel produced before delete killed the container is
     in the ring buffer still: drained above. */
  emit_marker (&r, "audit-end", NULL);
  hr_audit_log_close (&r.state_log);
  hr_audit_log_close (&r.policy_log);
  return 0;

fail:
  send_ready (wfd, hr_error_errno (err) ? hr_error_errno (err) : EIO, NULL, err ? err->msg : "failed");
  hr_error_free (&err);
  return 1;
}

int
hr_audit_start (const struct hr_audit_args *a, pid_t *pid_out, struct hr_bpf_features *features, hr_err *err)
{
  _cleanup_close_ int rfd = -1, wfd = -1;
  int p[2];
  pid_t child;
  struct ready_msg m;
  ssize_t n;
  size_t got = 0;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  rfd = p[0], wfd = p[1];
  child = fork ();
  if (child < 0)
    return hr_error_set (err, errno, "fork the audit process");
  if (child == 0)
    {
      /* The middle process exits at once: the audit process is then
         reparented to the reaper and is no zombie of ours. */
      close (rfd);
      if (fork () != 0)
        _exit (0);
      setsid ();
      if (chdir ("/") < 0)
        _exit (1);
      prctl (PR_SET_NAME, "hydra-audit", 0, 0, 0);
      for (int s = 1; s < NSIG; s++)
        signal (s, SIG_DFL);
      signal (SIGPIPE, SIG_IGN);
      signal (SIGHUP, SIG_IGN);
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0)
        {
          dup2 (null, 0), dup2 (null, 1), dup2 (null, 2);
          close (null);
        }
      _exit (audit_run (a, wfd));
    }
  close (wfd);
  wfd = -1;
  while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
    ;
  while (got < sizeof m && (n = read (rfd, (char *) &m + got, sizeof m - got)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hr_error_set (err, errno, "read from the audit process");
      got += (size_t) n;
    }
  if (got != sizeof m)
    return hr_error_plain (err, EIO, "the audit process exited before its programs were attached");
  m.msg[sizeof m.msg - 1] = '\0';
  if (m.status != 0)
    return hr_error_plain (err, m.status, "audit process: %s", m.msg);
  *pid_out = m.pid;
  if (features)
    *features = m.features;
  {
    /* Recorded for delete, with its start time: no signal to a recycled pid. */
    _cleanup_free_ char *rec = xasprintf ("%d %llu\n", (int) m.pid, hr_proc_start_time (m.pid, NULL));
    if (hr_state_write_file (a->state_dirfd, HR_AUDIT_PID, rec, strlen (rec), err) < 0)
      {
        kill (m.pid, SIGKILL);
        return -1;
      }
  }
  return 0;
}

/* The recorded audit process as a pidfd, or -1 (none, or gone). */
static int
audit_pidfd (int state_dirfd, pid_t *pid)
{
  _cleanup_close_ int fd = openat (state_dirfd, HR_AUDIT_PID, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char buf[64] = { 0 };
  unsigned long long start = 0;
  int p = 0, pidfd;

  if (fd < 0 || read (fd, buf, sizeof buf - 1) <= 0 || sscanf (buf, "%d %llu", &p, &start) != 2 || p <= 0)
    return -1;
  pidfd = (int) syscall (SYS_pidfd_open, p, 0);
  /* (checked once the pidfd pins the pid) */
  if (pidfd >= 0 && !hr_state_proc_alive (p, true, start))
    {
      close (pidfd);
      return -1;
    }
  *pid = p;
  return pidfd;
}

static bool
wait_gone (int pidfd, int ms)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int r;

  do
    r = poll (&p, 1, ms);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

int
hr_audit_stop (int state_dirfd, hr_err *err)
{
  pid_t pid = 0;
  _cleanup_close_ int pidfd = audit_pidfd (state_dirfd, &pid);

  if (pidfd < 0)
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
    return hr_error_set (err, errno, "stop the audit process (pid %d)", (int) pid);
  if (wait_gone (pidfd, 5000))
    return 0;
  hr_warn ("the audit process (pid %d) did not stop in 5s: killed", (int) pid);
  (void) syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  if (!wait_gone (pidfd, 5000))
    return hr_error_plain (err, ETIMEDOUT, "the audit process (pid %d) did not exit", (int) pid);
  return 0;
}

bool
hr_audit_running (int state_dirfd)
{
  pid_t pid;
  _cleanup_close_ int fd = audit_pidfd (state_dirfd, &pid);
  return fd >= 0;
}
