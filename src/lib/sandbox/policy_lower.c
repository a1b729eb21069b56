/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sandbox policy lowered into the standard fields of config.json
 * (docs/sandbox.md has the table).  Pure: no system call, so the unit
 * tests and the fuzzer run it on configs in memory, and `spec --policy`
 * and create lower the same way.  Each rule only tightens what the config
 * already says (a stricter limit, a deny-by-default seccomp profile, a
 * network namespace joined by path are kept), which is also what makes
 * lowering idempotent: create lowers again what `spec --policy` wrote.
 */
#include <config.h>
#include "sandbox/policy.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

/* What the sandboxed programs may call: the allowed names of the
   Docker-shaped profile in bench/seccomp-default.json, less what an
   agent's shell, coreutils-like tools and a TCP client never need and
   what widens the kernel's surface or slips past the other rules:
   io_uring_* (its operations bypass seccomp), chroot, fanotify_mark,
   name_to_handle_at (open_by_handle_at's first half), modify_ldt,
   memfd_secret, remap_file_pages, adjtimex/clock_adjtime.  clone,
   clone3 and personality have rules of their own below.  landlock_*
   stay: a program may sandbox itself further. */
static const char *const allowed_syscalls[] = {
  "_llseek", "_newselect", "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "capget",
  "capset", "chdir", "chmod", "chown", "chown32", "clock_getres", "clock_getres_time64", "clock_gettime",
  "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
  "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
  "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
  "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
  "fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
  "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64",
  "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64",
  "futex_waitv", "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
  "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
  "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
  "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid",
  "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
  "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy",
  "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get",
  "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
  "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr",
  "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "mincore", "mkdir",
  "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
  "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
  "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
  "nanosleep", "newfstatat", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
  "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64",
  "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
  "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
  "recvmmsg_time64", "recvmsg", "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir",
  "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
  "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
  "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
  "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
  "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
  "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
  "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
  "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
  "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
  "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
  "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socket", "socketcall", "socketpair",
  "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
  "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
  "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
  "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
  "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
  "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev", NULL,
};

/* clone without a CLONE_NEW* flag (Docker's rule): no new namespace,
   user namespaces included, from inside the sandbox.  (unshare and
   setns are not allowed at all.) */
#define CLONE_NS_FLAGS                                                                                         \
  ((uint64_t) (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET          \
               | CLONE_NEWCGROUP))
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* personality: only the values Docker's profile allows (PER_LINUX, its
   32-bit form, UNAME26 variants, and the query). */
static const uint64_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

static char **
strv_empty (size_t *len)
{
  *len = 0;
  return xmalloc0 (sizeof (char *));
}

static oci_seccomp_syscall *
rule (const char *const *names, int action)
{
  oci_seccomp_syscall *r = xmalloc0 (sizeof (*r));
  r->names = oci_strv_dup (names, &r->names_len);
  r->action = action;
  r->action_present = true;
  return r;
}

static oci_seccomp_arg *
arg (uint32_t index, uint64_t value, int op)
{
  oci_seccomp_arg *a = xmalloc0 (sizeof (*a));
  a->index = index;
  a->index_present = true;
  a->value = value;
  a->value_present = true;
  a->op = op;
  a->op_present = true;
  return a;
}

static oci_seccomp *
sandbox_seccomp (void)
{
  oci_seccomp *s = xmalloc0 (sizeof (*s));
  size_t n = 0, np = sizeof (personalities) / sizeof (personalities[0]);
  oci_seccomp_syscall *r;

  s->default_action = OCI_SECCOMP_ACTION_ERRNO;
  s->default_action_present = true;
  s->default_errno_ret = EPERM;
  s->default_errno_ret_present = true;
#if defined(__x86_64__)
  /* The 32-bit ABIs get the same list (their own numbers), so they are no
     way around it. */
  s->architectures = xmalloc0 (3 * sizeof (int));
  s->architectures[0] = OCI_SECCOMP_ARCH_X86_64;
  s->architectures[1] = OCI_SECCOMP_ARCH_X86;
  s->architectures[2] = OCI_SECCOMP_ARCH_X32;
  s->architectures_len = 3;
#endif
  s->syscalls = xmalloc0 ((3 + np + 1) * sizeof (*s->syscalls));
  s->syscalls[n++] = rule (allowed_syscalls, OCI_SECCOMP_ACTION_ALLOW);
  r = rule ((const char *const[]) { "clone", NULL }, OCI_SECCOMP_ACTION_ALLOW);
  r->args = xmalloc0 (2 * sizeof (*r->args));
  r->args[0] = arg (0, CLONE_NS_FLAGS | CLONE_NEWTIME, OCI_SECCOMP_OPERATOR_MASKED_EQ);
  r->args[0]->value_two = 0;
  r->args[0]->value_two_present = true;
  r->args_len = 1;
  s->syscalls[n++] = r;
  /* clone3 passes its flags in memory seccomp cannot read: ENOSYS makes
     the C library fall back to clone, which the rule above checks. */
  r = rule ((const char *const[]) { "clone3", NULL }, OCI_SECCOMP_ACTION_ERRNO);
  r->errno_ret = ENOSYS;
  r->errno_ret_present = true;
  s->syscalls[n++] = r;
  for (size_t i = 0; i < np; i++)
    {
      r = rule ((const char *const[]) { "personality", NULL }, OCI_SECCOMP_ACTION_ALLOW);
      r->args = xmalloc0 (2 * sizeof (*r->args));
      r->args[0] = arg (0, personalities[i], OCI_SECCOMP_OPERATOR_EQ);
      r->args_len = 1;
      s->syscalls[n++] = r;
    }
  s->syscalls_len = n;
  return s;
}

static bool
allows_by_default (const oci_seccomp *s)
{
  return s->default_action == OCI_SECCOMP_ACTION_ALLOW || s->default_action == OCI_SECCOMP_ACTION_LOG;
}

static bool
has_option (const oci_mount *m, const char *o)
{
  for (size_t i = 0; i < m->options_len; i++)
    if (strcmp (m->options[i], o) == 0)
      return true;
  return false;
}

/* A mount the config already has at a writable path (an engine's bind of
   the workspace): kept, made writable, and nothing on it runs
   (docs/sandbox.md: a copy of a binary there must not execute). */
static void
tighten_mount (oci_mount *m)
{
  static const char *const drop[] = { "ro", "rro", "suid", "dev", "exec", "rsuid", "rdev", "rexec", "defaults", NULL };
  static const char *const add[] = { "nosuid", "nodev", "noexec", NULL };
  static const char *const add_r[] = { "rnosuid", "rnodev", "rnoexec", NULL };
  bool recursive = has_option (m, "rbind");
  char **v = xmalloc0 ((m->options_len + 7) * sizeof (char *));
  size_t n = 0;

  for (size_t i = 0; i < m->options_len; i++)
    {
      size_t d;
      for (d = 0; drop[d] && strcmp (drop[d], m->options[i]); d++)
        ;
      if (drop[d])
        free (m->options[i]);
      else
        v[n++] = m->options[i];
    }
  free (m->options);
  m->options = v;
  m->options_len = n;
  for (size_t i = 0; add[i]; i++)
    if (!has_option (m, add[i]))
      v[m->options_len++] = xstrdup (add[i]);
  /* A recursive bind keeps its submounts' flags unless told. */
  for (size_t i = 0; recursive && add_r[i]; i++)
    if (!has_option (m, add_r[i]))
      v[m->options_len++] = xstrdup (add_r[i]);
  v[m->options_len] = NULL;
}

/* Destinations compare without trailing slashes ("/tmp/" is "/tmp"). */
static bool
same_dest (const char *dest, const char *path)
{
  size_t l = strlen (path);
  if (dest == NULL || strncmp (dest, path, l) != 0)
    return false;
  return dest[l + strspn (dest + l, "/")] == '\0';
}

static void
lower_mounts (const struct hr_policy *p, oci_config *cfg)
{
  for (size_t w = 0; w < p->n_writable; w++)
    {
      oci_mount *found = NULL;
      /* The last mount at a destination is the one processes see. */
      for (size_t i = 0; i < cfg->mounts_len; i++)
        if (same_dest (cfg->mounts[i]->destination, p->writable[w]))
          found = cfg->mounts[i];
      if (found)
        {
          tighten_mount (found);
          continue;
        }
      oci_mount *m = xmalloc0 (sizeof (*m));
      m->destination = xstrdup (p->writable[w]);
      m->type = xstrdup ("tmpfs");
      m->source = xstrdup ("tmpfs");
      m->options = oci_strv_dup ((const char *const[]) { "nosuid", "nodev", "noexec", "mode=1777", NULL },
                                 &m->options_len);
      cfg->mounts = xrealloc (cfg->mounts, (cfg->mounts_len + 2) * sizeof (*cfg->mounts));
      cfg->mounts[cfg->mounts_len++] = m;
      cfg->mounts[cfg->mounts_len] = NULL;
    }
}

static void
lower_caps (oci_process *proc)
{
  oci_capabilities *c = proc->capabilities;
  if (c == NULL)
    c = proc->capabilities = xmalloc0 (sizeof (*c));
  strv_free (c->bounding);
  strv_free (c->effective);
  strv_free (c->inheritable);
  strv_free (c->permitted);
  strv_free (c->ambient);
  c->bounding = strv_empty (&c->bounding_len);
  c->effective = strv_empty (&c->effective_len);
  c->inheritable = strv_empty (&c->inheritable_len);
  c->permitted = strv_empty (&c->permitted_len);
  c->ambient = strv_empty (&c->ambient_len);
  /* Without it a setuid-root file would give the capabilities back. */
  proc->no_new_privileges = true;
  proc->no_new_privileges_present = true;
}

#define CFS_PERIOD 100000u

static void
lower_resources (const struct hr_policy *p, oci_linux *lx)
{
  oci_linux_resources *r;

  if (!p->cpu_millicores && !p->memory_bytes && !p->pids)
    return;
  r = lx->resources;
  if (r == NULL)
    r = lx->resources = xmalloc0 (sizeof (*r));
  if (p->cpu_millicores)
    {
      /* millicores / 1000 cores = quota / period, period 100 ms. */
      int64_t quota = (int64_t) p->cpu_millicores * (CFS_PERIOD / 1000);
      oci_linux_cpu *c = r->cpu;
      if (c == NULL)
        c = r->cpu = xmalloc0 (sizeof (*c));
      uint64_t period = c->period_present && c->period ? c->period : CFS_PERIOD;
      /* The config's own share of a CPU is kept when smaller:
         quota_c / period_c <= quota / CFS_PERIOD. */
      bool stricter = c->quota_present && c->quota > 0
                      && (unsigned __int128) c->quota * CFS_PERIOD <= (unsigned __int128) quota * period;
      if (!stricter)
        {
          c->quota = quota;
          c->quota_present = true;
          c->period = CFS_PERIOD;
          c->period_present = true;
        }
    }
  if (p->memory_bytes)
    {
      oci_linux_memory *m = r->memory;
      if (m == NULL)
        m = r->memory = xmalloc0 (sizeof (*m));
      if (!(m->limit_present && m->limit > 0 && (uint64_t) m->limit <= p->memory_bytes))
        {
          m->limit = (int64_t) p->memory_bytes;
          m->limit_present = true;
        }
    }
  if (p->pids)
    {
      oci_linux_pids *pd = r->pids;
      if (pd == NULL)
        pd = r->pids = xmalloc0 (sizeof (*pd));
      if (!(pd->limit_present && pd->limit > 0 && pd->limit <= p->pids))
        {
          pd->limit = p->pids;
          pd->limit_present = true;
        }
    }
}

static void
lower_network (oci_linux *lx)
{
  /* Any network namespace entry is kept: a new one (no path) already has
     only loopback; one joined by path is the engine's (its CNI set it
     up), and the allow-list's cgroup programs do the filtering there. */
  for (size_t i = 0; i < lx->namespaces_len; i++)
    if (lx->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
      return;
  oci_linux_namespace *ns = xmalloc0 (sizeof (*ns));
  ns->type = OCI_NAMESPACE_TYPE_NETWORK;
  ns->type_present = true;
  lx->namespaces = xrealloc (lx->namespaces, (lx->namespaces_len + 2) * sizeof (*lx->namespaces));
  lx->namespaces[lx->namespaces_len++] = ns;
  lx->namespaces[lx->namespaces_len] = NULL;
}

int
hr_policy_apply (const struct hr_policy *p, oci_config *cfg, hr_err *err)
{
  _cleanup_free_ char *json = NULL;
  oci_seccomp *sc;

  /* Refusals first: a refused config is left as it was. */
  if (cfg->root == NULL || cfg->root->path == NULL)
    return hr_error_plain (err, EINVAL, "sandbox policy: root.path: missing (the rootfs is made read-only)");
  if (cfg->process == NULL)
    return hr_error_plain (err, EINVAL, "sandbox policy: process: missing");
  sc = cfg->linux_ ? cfg->linux_->seccomp : NULL;
  if (sc && allows_by_default (sc))
    {
      /* Replacing the profile would silently drop its agent. */
      bool notify = sc->listener_path != NULL;
      for (size_t i = 0; i < sc->syscalls_len; i++)
        notify |= sc->syscalls[i]->action == OCI_SECCOMP_ACTION_NOTIFY;
      if (notify)
        return hr_error_plain (err, EINVAL,
                               "sandbox policy: linux.seccomp: an allow-by-default profile with a seccomp agent "
                               "(SCMP_ACT_NOTIFY) cannot be replaced by the sandbox's deny-by-default one");
    }

  if (cfg->linux_ == NULL)
    cfg->linux_ = xmalloc0 (sizeof (*cfg->linux_));
  cfg->root->readonly = true;
  cfg->root->readonly_present = true;
  lower_mounts (p, cfg);
  if (!p->sudo)
    lower_caps (cfg->process);
  lower_resources (p, cfg->linux_);
  /* A deny-by-default profile is the config's choice and is kept (it is
     already the stricter kind); none or allow-by-default gets ours. */
  if (sc == NULL || allows_by_default (sc))
    {
      oci_seccomp_free (sc);
      cfg->linux_->seccomp = sandbox_seccomp ();
    }
  if (!p->internet)
    lower_network (cfg->linux_);
  json = hr_policy_to_json (p);
  oci_string_map_set (&cfg->annotations, HR_POLICY_ANNOTATION, json);
  return 0;
}

int
hr_policy_lower_config (oci_config *cfg, char **data, size_t *len, struct hr_policy **out, hr_err *err)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = NULL;
  char *json = NULL;
  size_t json_len = 0;

  if (hr_policy_from_config (cfg, &p, err) < 0)
    return -1;
  if (p == NULL)
    return 0;
  if (hr_policy_apply (p, cfg, err) < 0)
    return -1;
  /* What the state dir keeps (exec, update, delete read it) is the
     lowered config: a process exec'd later gets the same seccomp
     profile, capabilities and no_new_privileges. */
  if (oci_config_to_json (cfg, false, &json, &json_len, err) < 0)
    return hr_error_wrap (err, "sandbox policy");
  free (*data);
  *data = json;
  *len = json_len;
  *out = TAKE_PTR (p);
  return 0;
}
