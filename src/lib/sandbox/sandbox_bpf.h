/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's eBPF side (docs/sandbox.md): the audit programs (BPF LSM
 * and tracepoints, CO-RE, skeletons generated at build time), the exec
 * guard for blocked commands, and the cgroup sock_addr programs of the
 * network allow-list.  Everything is filtered in the kernel by the
 * container's cgroup (and its descendants) and reports through one ring
 * buffer, decoded here into hr_audit_record.
 */
#ifndef HYDRA_SANDBOX_BPF_H
#define HYDRA_SANDBOX_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "cleanup.h"
#include "sandbox/policy.h"

/* What this kernel lets the sandbox do with eBPF (probed by loading). */
struct hr_bpf_features
{
  bool bpf_lsm;       /* BPF LSM programs attach (lsm=...,bpf) */
  bool tracepoints;   /* tracepoint programs (syscalls, sched) */
  bool sock_addr;     /* cgroup connect4/6, sendmsg4/6 */
  bool ringbuf;
};

/* A file the exec guard stops: the (dev, ino) of a blocked command in the
   container's read-only trees.  multicall: the same file also provides
   commands that are not blocked (busybox): then it is stopped only when
   called as a blocked name (argv[0]'s basename, or argv[1] when argv[0]
   is the binary's own name). */
struct hr_blocked_exe
{
  uint64_t dev, ino;
  bool multicall;
};

struct hr_bpf_config
{
  int cgroup_fd;                    /* the container's cgroup2 directory */
  bool audit;                       /* exec/exit/priv/violation events */
  bool detailed;                    /* log_level detailed: argv, file modify */
  bool monitor_files, monitor_network;
  const char *const *monitored;     /* path prefixes for file events (writable paths) */
  size_t n_monitored;
  bool net_filter;                  /* allow only `allow` (and loopback) */
  const struct hr_policy_dest *allow;
  size_t n_allow;
  const struct hr_blocked_exe *blocked;
  size_t n_blocked;
  const char *const *blocked_names;
  size_t n_blocked_names;
  bool confine_exec;                /* executable_paths: the guard also stops
                                       the exec of a file on an internal
                                       filesystem (memfd), which Landlock
                                       and noexec do not cover */
};

enum hr_audit_type
{
  HR_AUDIT_EXEC,       /* path, argv, pid, uid */
  HR_AUDIT_EXIT,       /* pid, exit_code (a process that exec'd ends) */
  HR_AUDIT_CONNECT,    /* family, addr, port, allowed */
  HR_AUDIT_FILE,       /* op, path */
  HR_AUDIT_PRIV,       /* syscall, new_id, err */
  HR_AUDIT_VIOLATION,  /* rule, what, err */
};

struct hr_audit_record
{
  enum hr_audit_type type;
  uint64_t time_ns;            /* CLOCK_REALTIME */
  pid_t pid, ppid;             /* host pids */
  pid_t ns_pid, ns_ppid;       /* as the task's own pid namespace sees them, at
                                  the event (0: unknown; ns_ppid 0 also when
                                  the parent is outside that namespace) */
  uint32_t uid, gid;
  char comm[16];
  const char *path;            /* exec: the file; file: the path in the container */
  const char *const *argv;     /* exec (detailed): argc strings */
  size_t argc;
  int exit_code;               /* exit: as wait(2) gives it */
  int family;                  /* connect */
  char addr[46];
  uint16_t port;
  bool allowed;
  const char *op;              /* file: "create", "modify", "delete", "rename" */
  const char *syscall;         /* priv, violation: "setuid", "execve", "connect", "openat" */
  long new_id;                 /* priv: the id asked for */
  int err;                     /* errno of the denied call, 0 if it succeeded */
  const char *rule;            /* violation: "writable_paths", "blocked_commands",
                                  "executable_paths", "allow_internet", "allow_sudo" */
  const char *what;            /* violation: what was denied, in words */
};

struct hr_sandbox_bpf;

int hr_sandbox_bpf_probe (struct hr_bpf_features *out);
/* securityfs, where the BPF LSM probe reads the active LSMs (the
   programs attach raw tracepoints by name and need no tracefs).  A host
   need not mount it (Debian without systemd, this project's VM guest,
   containers): the calling process then moves to a mount namespace of
   its own (a slave of the host's) and mounts it there, so the host's
   mounts stay as they are.  For a process that exists to hold the
   programs (the audit process, tests/tools/sandbox-bpf-run), before
   probe and load. */
int hr_sandbox_bpf_kernel_fs (hr_err *err);
/* Load, fill the maps and attach.  The cgroup programs are attached with
   BPF_PROG_ATTACH (BPF_F_ALLOW_MULTI), so the allow-list holds for the
   cgroup's life even if this process dies; the audit programs live with
   the returned handle. */
int hr_sandbox_bpf_load (const struct hr_bpf_config *cfg, struct hr_sandbox_bpf **out, hr_err *err);
/* The ring buffer's fd, for poll/epoll. */
int hr_sandbox_bpf_fd (const struct hr_sandbox_bpf *b);
/* Decode what is ready and call cb for each record; cb returning < 0
   stops.  Returns the number of records, or -1. */
int hr_sandbox_bpf_consume (struct hr_sandbox_bpf *b, int (*cb) (const struct hr_audit_record *, void *), void *arg,
                            hr_err *err);
/* What was enforced or recorded, for the sandbox report. */
void hr_sandbox_bpf_features_of (const struct hr_sandbox_bpf *b, struct hr_bpf_features *out);
void hr_sandbox_bpf_free (struct hr_sandbox_bpf *b);
DEFINE_CLEANUP_FUNC (struct hr_sandbox_bpf, hr_sandbox_bpf_free)

#endif
