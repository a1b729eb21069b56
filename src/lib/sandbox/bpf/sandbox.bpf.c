// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's kernel side (docs/sandbox.md, issue 16): audit events, the
 * exec guard for blocked commands and the network allow-list, all for the
 * tasks of one cgroup2 subtree.  CO-RE: built once against the build
 * host's vmlinux.h, relocated by libbpf against the running kernel's BTF.
 *
 * Cost outside the container: every program starts with the cgroup test
 * (one helper call, or a hash lookup keyed by the thread for the syscall
 * exits and process exits), so a task elsewhere on the host pays that and
 * nothing more.  The cgroup sock_addr programs run only for the
 * container's sockets (they are attached to its cgroup).
 *
 * GPL: bpf_send_signal, bpf_probe_read_* and the LSM hooks are GPL-only
 * helpers; the loader (Apache-2.0) only links to this object.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sandbox_events.h"

char LICENSE[] SEC ("license") = "GPL";

#define EPERM 1
#define EACCES 13
#define EROFS 30
#define SIGKILL 9
#define AF_INET 2
#define AF_INET6 10
#define AT_FDCWD -100
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define FMODE_WRITE 0x2
/* include/linux/fs.h; #defines are not in BTF.  Bit 20 from 4.19 (when
   it appeared) to at least 6.18 (checked against the f_mode of a file
   created and of one reopened). */
#define FMODE_CREATED 0x100000
/* include/linux/fs.h: a superblock no one can mount (shmem's internal
   mount behind memfd_create and shared anonymous memory, pipes, sockets):
   its files are under no path Landlock or a mount option governs. */
#define SB_NOUSER (1UL << 31)

/* Set by the loader before load (.rodata: the verifier then prunes what a
   configuration does not use). */
const volatile __u64 cg_id = 0;         /* the container cgroup's id */
const volatile __u32 cg_level = 0;      /* its depth in the cgroup2 tree */
const volatile bool audit = false;      /* exec/exit/priv/violations */
const volatile bool detailed = false;   /* argv, file modify */
const volatile bool monitor_files = false;
const volatile bool monitor_network = false;
const volatile bool net_filter = false;
const volatile bool guard = false;      /* the exec guard: blocked files,
                                           or executable_paths (memfd) */
/* The cgroup sock_addr programs may call bpf_get_current_{pid_tgid,
   uid_gid,comm} (not every kernel lets them: the loader probes); when not,
   their records have no pid.  A constant: the verifier does not see the
   calls it excludes. */
const volatile bool sock_current = false;
/* ... and bpf_get_current_task with bpf_probe_read_kernel (5.11, with
   CAP_PERFMON): their records then have the pids in the task's pid
   namespace too. */
const volatile bool sock_task = false;
const volatile __u32 n_allow = 0;
const volatile struct hr_bpf_allow allow[HR_MAX_ALLOW] = {};

struct
{
  __uint (type, BPF_MAP_TYPE_RINGBUF);
  __uint (max_entries, HR_RINGBUF_BYTES);
} events SEC (".maps");

/* Scratch for one record (too big for the 512-byte stack), per CPU: the
   programs that use it do not sleep, so nothing else runs on this CPU
   between filling and sending it. */
struct
{
  __uint (type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint (max_entries, 1);
  __type (key, __u32);
  __type (value, struct hr_bpf_event);
} scratch SEC (".maps");

/* Blocked files: (dev, ino) -> multicall. */
struct
{
  __uint (type, BPF_MAP_TYPE_HASH);
  __uint (max_entries, 256);
  __type (key, struct hr_bpf_blocked_key);
  __type (value, __u8);
} blocked SEC (".maps");

/* Blocked names, NUL-padded to HR_EV_NAME. */
struct name_key
{
  char s[HR_EV_NAME];
};
struct
{
  __uint (type, BPF_MAP_TYPE_HASH);
  __uint (max_entries, 256);
  __type (key, struct name_key);
  __type (value, __u8);
} blocked_names SEC (".maps");

/* Thread-group leaders that exec'd in the container: their exit is
   reported.  LRU: a leader whose exit was missed cannot fill it. */
struct
{
  __uint (type, BPF_MAP_TYPE_LRU_HASH);
  __uint (max_entries, 16384);
  __type (key, __u32);
  __type (value, __u8);
} execd SEC (".maps");

/* A syscall in flight in the container: its arguments, read again at its
   exit, where the result is known.  Keyed by thread id. */
struct pending
{
  __u32 sc;
  __u32 guard_denied;
  __u64 a[3];
};
struct
{
  __uint (type, BPF_MAP_TYPE_LRU_HASH);
  __uint (max_entries, 8192);
  __type (key, __u32);
  __type (value, struct pending);
} pending SEC (".maps");

static __always_inline bool
in_container (void)
{
  return bpf_get_current_ancestor_cgroup_id (cg_level) == cg_id;
}

/* struct pid P's (number, namespace) at LEVEL.  numbers[] is a flexible
   array: its offset and its element's size relocated, the index a scalar
   (level <= MAX_PID_NS_LEVEL). */
static __always_inline void
upid_at (struct pid *p, __u32 level, struct upid *u)
{
  bpf_probe_read_kernel (u, sizeof *u,
                         (char *) p + bpf_core_field_offset (struct pid, numbers)
                             + (__u64) level * bpf_core_type_size (struct upid));
}

/* The number of P at LEVEL when it is in NS there (what getppid()
   returns in that namespace), else 0 (a parent outside it). */
static __always_inline __u32
pid_nr_at (struct pid *p, __u32 level, struct pid_namespace *ns)
{
  struct upid u = {};

  if (!p || BPF_CORE_READ (p, level) < level)
    return 0;
  upid_at (p, level, &u);
  return u.ns == ns ? u.nr : 0;
}

/* The current process's pid and its parent's as its own pid namespace
   (the innermost: the container's, or one the container made) sees them:
   the thread-group leader's struct pid (the tgid), numbers[level].  At the
   event, not from /proc later: a process that never exec'd or is gone by
   the time the record is read still has them. */
static __always_inline void
set_ns_ids (struct hr_bpf_event *e)
{
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  struct pid *p = BPF_CORE_READ (t, group_leader, thread_pid);
  struct upid u = {};
  __u32 level;

  if (!p)
    return;
  level = BPF_CORE_READ (p, level);
  upid_at (p, level, &u);
  e->ns_pid = u.nr;
  e->ns_ppid = pid_nr_at (BPF_CORE_READ (t, real_parent, group_leader, thread_pid), level, u.ns);
}

static __always_inline struct hr_bpf_event *
event_new_in (__u32 type, bool current, bool task)
{
  __u32 zero = 0;
  struct hr_bpf_event *e = bpf_map_lookup_elem (&scratch, &zero);
  __u64 id = 0, ug = 0;

  if (!e)
    return NULL;
  if (current)
    {
      id = bpf_get_current_pid_tgid ();
      ug = bpf_get_current_uid_gid ();
    }
  e->type = type;
  e->pid = id >> 32;
  e->uid = (__u32) ug;
  e->gid = ug >> 32;
  e->ts = bpf_ktime_get_ns ();
  e->ppid = 0;
  e->ns_pid = 0;
  e->ns_ppid = 0;
  e->exit_code = 0;
  e->err = 0;
  e->family = 0;
  e->port = 0;
  e->allowed = 0;
  e->op = 0;
  e->sc = 0;
  e->rule = 0;
  e->how = 0;
  e->n_comps = 0;
  e->walked = 0;
  e->truncated = 0;
  e->new_id = 0;
  e->args_len = 0;
  e->path[0] = 0;
  e->name[0] = 0;
  e->comm[0] = 0;
  if (current)
    bpf_get_current_comm (e->comm, sizeof e->comm);
  if (task)
    set_ns_ids (e);
  return e;
}

static __always_inline struct hr_bpf_event *
event_new (__u32 type)
{
  return event_new_in (type, true, true);
}

static __always_inline void
event_send (struct hr_bpf_event *e)
{
  /* No wakeup per record: the audit process reads the ring every 100 ms
     (audit.c), and is woken early only once a quarter of it is full.  A
     wakeup per record cost it ~50 us of system time each, a fifth of a
     build-like workload's wall time on two cores. */
  __u64 flags = bpf_ringbuf_query (&events, BPF_RB_AVAIL_DATA) > HR_RINGBUF_BYTES / 4 ? BPF_RB_FORCE_WAKEUP
                                                                                    : BPF_RB_NO_WAKEUP;
  bpf_ringbuf_output (&events, e, sizeof *e, flags);
}

static __always_inline void
set_ppid (struct hr_bpf_event *e)
{
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  e->ppid = BPF_CORE_READ (t, real_parent, tgid);
}

/* The path of (mnt, dentry) as the current task sees it (from its root:
   in the container, the container's path): its components, leaf first,
   which the loader joins.  What d_path does, without its locks: a rename
   racing the walk can give a stale name, which only an audit record
   sees.  One constant-size read per component keeps the verifier's work
   linear in the depth. */
static __always_inline void
walk_path (struct hr_bpf_event *e, struct vfsmount *vm, struct dentry *d)
{
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  struct dentry *root_d = BPF_CORE_READ (t, fs, root.dentry);
  struct vfsmount *root_m = BPF_CORE_READ (t, fs, root.mnt);
  __u64 mnt_off = bpf_core_field_offset (struct mount, mnt);
  struct mount *m = (struct mount *) ((char *) vm - mnt_off);
  int i;

  e->walked = 1;
  e->n_comps = 0;
  for (i = 0; i < HR_EV_COMPS; i++)
    {
      if (d == root_d && vm == root_m)
        return;
      /* up through the mounts whose root this is (stacked mounts) */
      for (int j = 0; j < 4; j++)
        {
          if (d != BPF_CORE_READ (vm, mnt_root))
            break;
          struct mount *parent = BPF_CORE_READ (m, mnt_parent);
          if (parent == m)
            return;
          d = BPF_CORE_READ (m, mnt_mountpoint);
          m = parent;
          vm = (struct vfsmount *) ((char *) m + mnt_off);
        }
      if (d == root_d && vm == root_m)
        return;
      struct dentry *up = BPF_CORE_READ (d, d_parent);
      if (up == d)
        return;
      bpf_probe_read_kernel_str (e->comps[i], HR_EV_COMP, BPF_CORE_READ (d, d_name.name));
      e->n_comps = i + 1;
      d = up;
    }
  e->truncated = 1;
}

/* The file behind a descriptor of the current task. */
static __always_inline struct file *
fd_file (long fd)
{
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  struct file **fds = BPF_CORE_READ (t, files, fdt, fd);
  struct file *f = NULL;

  if (fd < 0 || fd >= BPF_CORE_READ (t, files, fdt, max_fds))
    return NULL;
  bpf_probe_read_kernel (&f, sizeof f, &fds[fd]);
  return f;
}

/* A user path as given; when it is relative, also the directory it is
   relative to (dfd, or the working directory), which the loader joins
   and cleans lexically. */
static __always_inline void
user_path (struct hr_bpf_event *e, long dfd, const char *upath)
{
  char c = 0;

  bpf_probe_read_user_str (e->path, HR_EV_PATH, upath);
  bpf_probe_read_user (&c, 1, upath);
  if (c == '/')
    return;
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  if (dfd == AT_FDCWD)
    walk_path (e, BPF_CORE_READ (t, fs, pwd.mnt), BPF_CORE_READ (t, fs, pwd.dentry));
  else
    {
      struct file *f = fd_file (dfd);
      if (f)
        walk_path (e, BPF_CORE_READ (f, f_path.mnt), BPF_CORE_READ (f, f_path.dentry));
    }
}

/* ---- exec, exit and the exec guard ---- */

#define ARG_UNTERMINATED (HR_EV_ARGS + 1)

/* The basename of the NUL-terminated string at args[start] into key;
   returns where the next string starts, or ARG_UNTERMINATED when the
   string does not end within what was read (the kernel ends each one with
   a NUL: it was longer than the buffer).  A global function: verified
   once on its own, not again at each of its four calls. */
__noinline __u32
arg_base (struct hr_bpf_event *e, __u32 start, struct name_key *key)
{
  __u32 base = start, end = start, i;

  if (!e || !key)
    return ARG_UNTERMINATED;

  for (i = 0; i < HR_EV_ARGS; i++)
    {
      __u32 at = start + i;
      if (at >= e->args_len)
        break;
      char c = e->args[at & (HR_EV_ARGS - 1)];
      end = at;
      if (c == 0)
        break;
      if (c == '/')
        base = at + 1;
      end = at + 1;
    }
  /* (no flag carried through the loop: it would multiply the verifier's
     states) */
  if (end >= e->args_len || e->args[end & (HR_EV_ARGS - 1)] != 0)
    return ARG_UNTERMINATED;
  __builtin_memset (key, 0, sizeof *key);
  for (i = 0; i < HR_EV_NAME - 1; i++)
    {
      __u32 at = base + i;
      if (at >= end)
        break;
      key->s[i] = e->args[at & (HR_EV_ARGS - 1)];
    }
  return end + 1;
}

static __always_inline void
read_args (struct hr_bpf_event *e, struct mm_struct *mm)
{
  unsigned long s = BPF_CORE_READ (mm, arg_start), end = BPF_CORE_READ (mm, arg_end);
  __u32 len = end > s ? end - s : 0;

  if (len > HR_EV_ARGS - 1)
    len = HR_EV_ARGS - 1;
  if (len && bpf_probe_read_user (e->args, len & (HR_EV_ARGS - 1), (void *) s) == 0)
    e->args_len = len;
  else
    e->args_len = 0;
  e->args[e->args_len & (HR_EV_ARGS - 1)] = 0;
}

/* Whether k starts with own: busybox takes any argv[0] that starts with
   "busybox" for itself (appletlib.c, is_prefixed_with), so `exec -a
   busyboxX busybox nc` runs nc as well. */
static __always_inline bool
key_has_prefix (const struct name_key *k, const struct name_key *own)
{
  for (int i = 0; i < HR_EV_NAME; i++)
    {
      if (own->s[i] == 0)
        return i > 0;
      if (k->s[i] != own->s[i])
        return false;
    }
  return true;
}

/* A multi-call file runs the applet its argv names: argv[0]'s basename,
   or, when that is the file's own name (`busybox nc`), the next argument
   (busybox skips repeats of its own name: `busybox busybox nc`). */
static __always_inline bool
multicall_blocked (struct hr_bpf_event *e, struct file *exe, struct name_key *hit)
{
  struct name_key own = {}, k;
  const unsigned char *name = BPF_CORE_READ (exe, f_path.dentry, d_name.name);
  __u32 next;

  bpf_probe_read_kernel_str (own.s, sizeof own.s - 1, name);
  next = arg_base (e, 0, &k);
  /* An argv[0] (or argv[1] below) longer than the buffer, or argv that
     could not be read, could name a blocked applet at its end: the guard
     fails closed. */
  if (next == ARG_UNTERMINATED)
    {
      __builtin_memcpy (hit->s, "?", 2);
      return true;
    }
  if (bpf_map_lookup_elem (&blocked_names, &k))
    {
      *hit = k;
      return true;
    }
  if (!key_has_prefix (&k, &own))
    return false;
  for (int i = 0; i < 3; i++)
    {
      if (next >= e->args_len)
        return false;
      next = arg_base (e, next, &k);
      if (next == ARG_UNTERMINATED)
        {
          __builtin_memcpy (hit->s, "?", 2);
          return true;
        }
      if (key_has_prefix (&k, &own))
        continue;
      if (bpf_map_lookup_elem (&blocked_names, &k))
        {
          *hit = k;
          return true;
        }
      return false;
    }
  return false;
}

/* A file on a superblock nothing can mount: a memfd (memfd_create) or
   shared anonymous memory.  Landlock does not check such files (they are
   under no path) and no noexec mount covers them, so a blocked command,
   or any binary, copied into a memfd would run from outside the
   executable paths: the guard stops them (executable_paths). */
static __always_inline bool
in_memory_file (struct file *f)
{
  return BPF_CORE_READ (f, f_inode, i_sb, s_flags) & SB_NOUSER;
}

/* execve or execveat: what the task is in, if the syscall programs run. */
static __always_inline __u8
exec_sc (void)
{
  __u32 tid = (__u32) bpf_get_current_pid_tgid ();
  struct pending *p = bpf_map_lookup_elem (&pending, &tid);

  return p && p->sc == HR_SC_EXECVEAT ? HR_SC_EXECVEAT : HR_SC_EXECVE;
}

static __always_inline void
report_guard (struct hr_bpf_event *e, __u8 rule, const char *name, __u8 how)
{
  /* Rewritten in place: the exec record, if any, was sent already. */
  e->type = HR_EV_VIOLATION;
  e->rule = rule;
  e->sc = exec_sc ();
  e->how = how;
  e->err = how == HR_HOW_DENIED ? EPERM : 0;
  e->args_len = 0;
  /* a dedicated file is blocked whatever its name: none is given */
  e->name[0] = 0;
  if (name)
    bpf_probe_read_kernel_str (e->name, sizeof e->name, name);
  event_send (e);
}

/* Raw tracepoints, here and below: attached by name (no tracefs needed)
   and detached without the RCU grace period a perf-event tracepoint
   waits for on close, which made every delete of a sandbox wait ~3 s
   for its 48 tracepoints.  sched_process_exec's arguments: the task, its
   old pid, the binprm. */
SEC ("raw_tp/sched_process_exec")
int
hr_exec (struct bpf_raw_tracepoint_args *ctx)
{
  if (!in_container ())
    return 0;
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  struct mm_struct *mm = BPF_CORE_READ (t, mm);
  struct file *exe = BPF_CORE_READ (mm, exe_file);
  struct hr_bpf_event *e = event_new (HR_EV_EXEC);
  struct name_key hit;
  __u8 *multicall = NULL;
  bool kill = false, memfd = false;

  if (!e)
    return 0;
  set_ppid (e);
  struct linux_binprm *bprm = (struct linux_binprm *) ctx->args[2];
  bpf_probe_read_kernel_str (e->path, HR_EV_PATH, BPF_CORE_READ (bprm, filename));
  if (guard && in_memory_file (exe))
    /* denied at bprm_check_security when the BPF LSM runs */
    memfd = kill = true;
  else if (guard)
    {
      struct hr_bpf_blocked_key k = {
        .dev = BPF_CORE_READ (exe, f_inode, i_sb, s_dev),
        .ino = BPF_CORE_READ (exe, f_inode, i_ino),
      };
      multicall = bpf_map_lookup_elem (&blocked, &k);
    }
  if ((audit && detailed) || multicall)
    read_args (e, mm);
  if (multicall)
    {
      if (*multicall)
        kill = multicall_blocked (e, exe, &hit);
      else
        {
          /* A dedicated blocked file: the BPF LSM denied it at
             bprm_check_security when it could; here it has not run an
             instruction yet, and SIGKILL is taken on the way back to
             user space. */
          kill = true;
          __builtin_memset (&hit, 0, sizeof hit);
        }
    }
  if (kill)
    bpf_send_signal (SIGKILL);
  if (audit)
    {
      __u32 pid = e->pid;
      __u8 one = 1;
      if (!detailed && !multicall)
        e->args_len = 0;
      bpf_map_update_elem (&execd, &pid, &one, BPF_ANY);
      event_send (e);
    }
  if (memfd && audit)
    report_guard (e, HR_RULE_EXEC, NULL, HR_HOW_KILLED);
  else if (kill && audit)
    report_guard (e, HR_RULE_BLOCKED, hit.s[0] ? hit.s : NULL, HR_HOW_KILLED);
  return 0;
}

SEC ("lsm/bprm_check_security")
int
BPF_PROG (hr_bprm_check, struct linux_binprm *bprm, int ret)
{
  if (ret || !guard || !in_container ())
    return ret;
  struct file *f = BPF_CORE_READ (bprm, file);
  struct inode *ino = BPF_CORE_READ (f, f_inode);
  bool memfd = in_memory_file (f);
  if (!memfd)
    {
      struct hr_bpf_blocked_key k = {
        .dev = BPF_CORE_READ (ino, i_sb, s_dev),
        .ino = BPF_CORE_READ (ino, i_ino),
      };
      __u8 *multicall = bpf_map_lookup_elem (&blocked, &k);
      if (!multicall || *multicall)
        return 0;
    }
  __u32 tid = (__u32) bpf_get_current_pid_tgid ();
  struct pending *p = bpf_map_lookup_elem (&pending, &tid);
  if (p)
    p->guard_denied = 1;
  if (audit)
    {
      struct hr_bpf_event *e = event_new (HR_EV_VIOLATION);
      if (e)
        {
          set_ppid (e);
          bpf_probe_read_kernel_str (e->path, HR_EV_PATH, BPF_CORE_READ (bprm, filename));
          report_guard (e, memfd ? HR_RULE_EXEC : HR_RULE_BLOCKED, NULL, HR_HOW_DENIED);
        }
    }
  return -EPERM;
}

SEC ("raw_tp/sched_process_exit")
int
hr_exit (void *ctx)
{
  __u64 id = bpf_get_current_pid_tgid ();
  __u32 pid = id >> 32;

  if ((__u32) id != pid || !bpf_map_lookup_elem (&execd, &pid))
    return 0;
  bpf_map_delete_elem (&execd, &pid);
  struct hr_bpf_event *e = event_new (HR_EV_EXIT);
  if (!e)
    return 0;
  struct task_struct *t = (struct task_struct *) bpf_get_current_task ();
  set_ppid (e);
  /* The leader's exit_code is the wait(2) status: exit_group() and a
     fatal signal store the group's code in every thread's. */
  e->exit_code = BPF_CORE_READ (t, exit_code);
  event_send (e);
  return 0;
}

/* ---- syscalls: privilege changes, denials, file events ---- */

static __always_inline int
enter (__u32 sc, __u64 a0, __u64 a1, __u64 a2)
{
  if (!in_container ())
    return 0;
  __u32 tid = (__u32) bpf_get_current_pid_tgid ();
  struct pending p = { .sc = sc, .a = { a0, a1, a2 } };
  bpf_map_update_elem (&pending, &tid, &p, BPF_ANY);
  return 0;
}

static __always_inline void
priv_exit (struct pending *p, long ret)
{
  struct hr_bpf_event *e = event_new (HR_EV_PRIV);
  if (!e)
    return;
  set_ppid (e);
  e->sc = p->sc;
  e->err = ret < 0 ? -ret : 0;
  switch (p->sc)
    {
    case HR_SC_SETREUID:
    case HR_SC_SETREGID:
    case HR_SC_SETRESUID:
    case HR_SC_SETRESGID:
      /* The id asked for: the effective one, else the real one. */
      e->new_id = (__s32) p->a[1] != -1 ? (__s32) p->a[1] : (__s32) p->a[0];
      break;
    case HR_SC_CAPSET:
      {
        __u32 eff = 0;
        /* struct __user_cap_data_struct: effective, permitted, inheritable */
        bpf_probe_read_user (&eff, sizeof eff, (void *) p->a[1]);
        e->new_id = eff;
        break;
      }
    default:
      e->new_id = (__s32) p->a[0];
    }
  event_send (e);
  if (ret == -EPERM)
    {
      e->type = HR_EV_VIOLATION;
      e->rule = HR_RULE_SUDO;
      event_send (e);
    }
}

/* The user path argument of a file syscall, and its dirfd. */
static __always_inline const char *
sc_path (struct pending *p, long *dfd)
{
  switch (p->sc)
    {
    case HR_SC_OPENAT:
    case HR_SC_OPENAT2:
    case HR_SC_UNLINKAT:
    case HR_SC_MKDIRAT:
    case HR_SC_RENAMEAT:
    case HR_SC_RENAMEAT2:
    case HR_SC_EXECVEAT:
      *dfd = (int) p->a[0];
      return (const char *) p->a[1];
    default:
      *dfd = AT_FDCWD;
      return (const char *) p->a[0];
    }
}

static __always_inline bool
is_open (__u32 sc)
{
  return sc == HR_SC_OPEN || sc == HR_SC_OPENAT || sc == HR_SC_OPENAT2 || sc == HR_SC_CREAT;
}

static __always_inline __u64
open_flags (struct pending *p)
{
  __u64 flags = 0;

  switch (p->sc)
    {
    case HR_SC_OPEN:
      return p->a[1];
    case HR_SC_OPENAT:
      return p->a[2];
    case HR_SC_OPENAT2:
      /* struct open_how starts with its u64 flags */
      bpf_probe_read_user (&flags, sizeof flags, (void *) p->a[2]);
      return flags;
    default:
      return O_WRONLY | O_CREAT | O_TRUNC; /* creat */
    }
}

static __always_inline void
file_exit (struct pending *p, long ret)
{
  long dfd;
  const char *upath = sc_path (p, &dfd);
  bool open = is_open (p->sc);
  bool exec = p->sc == HR_SC_EXECVE || p->sc == HR_SC_EXECVEAT;
  bool write = !open || (open_flags (p) & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC));
  struct hr_bpf_event *e;

  if (ret < 0)
    {
      /* A denial: Landlock (EACCES), a read-only mount (EROFS), a mode
         or capability check (EACCES/EPERM).  The guard's own denial of
         an exec was reported by the guard. */
      if (!audit || !(ret == -EACCES || ret == -EPERM || (ret == -EROFS && !exec)))
        return;
      if ((!exec && !write) || (exec && p->guard_denied))
        return;
      e = event_new (HR_EV_VIOLATION);
      if (!e)
        return;
      set_ppid (e);
      e->sc = p->sc;
      e->err = -ret;
      e->rule = exec ? HR_RULE_EXEC : HR_RULE_WRITABLE;
      user_path (e, dfd, upath);
      event_send (e);
      return;
    }
  if (!monitor_files || exec || !write)
    return;
  e = event_new (HR_EV_FILE);
  if (!e)
    return;
  set_ppid (e);
  e->sc = p->sc;
  if (open)
    {
      /* Created or only opened for writing: the kernel knows, in the
         open file's f_mode; its path is the file's own (symlinks and
         ".." resolved). */
      struct file *f = fd_file (ret);
      if (!f)
        return;
      __u32 mode = BPF_CORE_READ (f, f_mode);
      if (mode & FMODE_CREATED)
        e->op = HR_OP_CREATE;
      else if ((mode & FMODE_WRITE) && detailed)
        e->op = HR_OP_MODIFY;
      else
        return;
      walk_path (e, BPF_CORE_READ (f, f_path.mnt), BPF_CORE_READ (f, f_path.dentry));
    }
  else
    {
      switch (p->sc)
        {
        case HR_SC_MKDIR:
        case HR_SC_MKDIRAT:
          e->op = HR_OP_CREATE;
          break;
        case HR_SC_RENAME:
        case HR_SC_RENAMEAT:
        case HR_SC_RENAMEAT2:
          e->op = HR_OP_RENAME;
          break;
        default:
          e->op = HR_OP_DELETE;
        }
      user_path (e, dfd, upath);
    }
  event_send (e);
}

static __always_inline bool
is_priv (__u32 sc)
{
  return sc >= HR_SC_SETUID && sc <= HR_SC_CAPSET;
}

static __always_inline int
leave (long ret)
{
  __u32 tid = (__u32) bpf_get_current_pid_tgid ();
  struct pending *pp = bpf_map_lookup_elem (&pending, &tid);
  struct pending p;

  if (!pp)
    return 0;
  p = *pp;
  bpf_map_delete_elem (&pending, &tid);
  if (is_priv (p.sc))
    {
      if (audit)
        priv_exit (&p, ret);
    }
  else
    file_exit (&p, ret);
  return 0;
}

/* The syscalls watched, by this architecture's numbers.  One raw
   tracepoint for every syscall (sys_enter, sys_exit) rather than one
   tracepoint per syscall: two attachments instead of 46, and no tracefs.
   Every syscall of the host passes through here: the number is looked at
   first, the cgroup next (enter), the pending entry at exit.  (As the
   per-syscall tracepoints, this sees the native ABI: a 32-bit task's
   int 0x80 calls have other numbers.) */
static __always_inline __u32
sc_of_nr (long nr)
{
  switch (nr)
    {
#if defined(__TARGET_ARCH_x86)
    case 105: return HR_SC_SETUID;
    case 106: return HR_SC_SETGID;
    case 113: return HR_SC_SETREUID;
    case 114: return HR_SC_SETREGID;
    case 117: return HR_SC_SETRESUID;
    case 119: return HR_SC_SETRESGID;
    case 122: return HR_SC_SETFSUID;
    case 123: return HR_SC_SETFSGID;
    case 126: return HR_SC_CAPSET;
    case 59: return HR_SC_EXECVE;
    case 322: return HR_SC_EXECVEAT;
    case 2: return HR_SC_OPEN;
    case 257: return HR_SC_OPENAT;
    case 437: return HR_SC_OPENAT2;
    case 85: return HR_SC_CREAT;
    case 87: return HR_SC_UNLINK;
    case 263: return HR_SC_UNLINKAT;
    case 84: return HR_SC_RMDIR;
    case 83: return HR_SC_MKDIR;
    case 258: return HR_SC_MKDIRAT;
    case 82: return HR_SC_RENAME;
    case 264: return HR_SC_RENAMEAT;
    case 316: return HR_SC_RENAMEAT2;
#elif defined(__TARGET_ARCH_arm64)
    /* asm-generic numbers: no open, creat, unlink, rmdir, mkdir, rename */
    case 146: return HR_SC_SETUID;
    case 144: return HR_SC_SETGID;
    case 145: return HR_SC_SETREUID;
    case 143: return HR_SC_SETREGID;
    case 147: return HR_SC_SETRESUID;
    case 149: return HR_SC_SETRESGID;
    case 151: return HR_SC_SETFSUID;
    case 152: return HR_SC_SETFSGID;
    case 91: return HR_SC_CAPSET;
    case 221: return HR_SC_EXECVE;
    case 281: return HR_SC_EXECVEAT;
    case 56: return HR_SC_OPENAT;
    case 437: return HR_SC_OPENAT2;
    case 35: return HR_SC_UNLINKAT;
    case 34: return HR_SC_MKDIRAT;
    case 38: return HR_SC_RENAMEAT;
    case 276: return HR_SC_RENAMEAT2;
#endif
    default: return HR_SC_NONE;
    }
}

/* sys_enter's arguments: the task's user registers, the syscall number. */
SEC ("raw_tp/sys_enter")
int
hr_sys_enter (struct bpf_raw_tracepoint_args *ctx)
{
  __u32 sc = sc_of_nr ((long) ctx->args[1]);
  struct pt_regs *regs = (struct pt_regs *) ctx->args[0];

  if (sc == HR_SC_NONE)
    return 0;
  return enter (sc, PT_REGS_PARM1_CORE_SYSCALL (regs), PT_REGS_PARM2_CORE_SYSCALL (regs),
                PT_REGS_PARM3_CORE_SYSCALL (regs));
}

/* sys_exit's: the registers, the return value. */
SEC ("raw_tp/sys_exit")
int
hr_sys_exit (struct bpf_raw_tracepoint_args *ctx)
{
  return leave ((long) ctx->args[1]);
}

/* ---- network: the cgroup sock_addr programs ---- */

static __always_inline bool
allowed_dest (const __u8 *a, __u16 port)
{
  for (__u32 i = 0; i < HR_MAX_ALLOW; i++)
    {
      if (i >= n_allow)
        break;
      const volatile struct hr_bpf_allow *r = &allow[i];
      if (r->port && r->port != port)
        continue;
      int bits = r->prefix;
      bool match = true;
      for (int b = 0; b < 16; b++)
        {
          if (bits <= 0)
            break;
          __u8 mask = bits >= 8 ? 0xff : (__u8) (0xff << (8 - bits));
          if ((a[b] ^ r->addr[b]) & mask)
            {
              match = false;
              break;
            }
          bits -= 8;
        }
      if (match)
        return true;
    }
  return false;
}

static __always_inline int
sock_check (struct bpf_sock_addr *ctx, int family, __u32 sc)
{
  __u8 a[16] = {};
  __u16 port = bpf_ntohs ((__u16) ctx->user_port);
  bool ok;

  if (family == AF_INET)
    {
      __u32 ip = ctx->user_ip4;
      a[10] = 0xff;
      a[11] = 0xff;
      __builtin_memcpy (&a[12], &ip, 4);
    }
  else
    {
      __u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1], w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];
      __builtin_memcpy (&a[0], &w0, 4);
      __builtin_memcpy (&a[4], &w1, 4);
      __builtin_memcpy (&a[8], &w2, 4);
      __builtin_memcpy (&a[12], &w3, 4);
    }
  ok = !net_filter || allowed_dest (a, port);
  /* An allowed datagram is not a connection: reporting every sendto of a
     UDP stream would flood the ring; a denied one is reported. */
  if ((monitor_network && (!ok || sc == HR_SC_CONNECT)) || (!ok && audit))
    {
      struct hr_bpf_event *e = event_new_in (HR_EV_CONNECT, sock_current, sock_task);
      if (e)
        {
          e->sc = sc;
          e->family = family;
          e->port = port;
          e->allowed = ok;
          e->err = ok ? 0 : EPERM;
          __builtin_memcpy (e->addr, a, 16);
          if (monitor_network)
            event_send (e);
          if (!ok && audit)
            {
              e->type = HR_EV_VIOLATION;
              e->rule = HR_RULE_INTERNET;
              event_send (e);
            }
        }
    }
  return ok ? 1 : 0;
}

#define SOCK_ADDR(name, family, sc)                                           \
  SEC ("cgroup/" #name)                                                      \
  int hr_##name (struct bpf_sock_addr *ctx)                                  \
  {                                                                          \
    return sock_check (ctx, family, sc);                                     \
  }

SOCK_ADDR (connect4, AF_INET, HR_SC_CONNECT)
SOCK_ADDR (connect6, AF_INET6, HR_SC_CONNECT)
SOCK_ADDR (sendmsg4, AF_INET, HR_SC_SENDMSG)
SOCK_ADDR (sendmsg6, AF_INET6, HR_SC_SENDMSG)
