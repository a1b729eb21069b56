/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What sandbox.bpf.c puts in the ring buffer and what it reads from its
 * .rodata: shared by the BPF side (vmlinux.h types) and the loader
 * (sandbox_bpf.c, <linux/types.h>).  Fixed-size records: the ring buffer
 * then never splits one, and the decoder checks only the size.
 */
#ifndef HYDRA_SANDBOX_EVENTS_H
#define HYDRA_SANDBOX_EVENTS_H

#define HR_RINGBUF_BYTES (2 << 20) /* the ring buffer: ~800 records */
#define HR_EV_PATH 256      /* path[]: a string as given (exec, a user path) */
#define HR_EV_COMPS 24      /* a walked path: its last components, leaf first */
#define HR_EV_COMP 64
#define HR_EV_ARGS 512      /* argv bytes kept (NUL-separated) */
#define HR_EV_NAME 32       /* a blocked name, with its NUL */
#define HR_MAX_ALLOW 32     /* allow-list entries (loopback included) */

enum hr_ev_type
{
  HR_EV_EXEC = 1,
  HR_EV_EXIT,
  HR_EV_CONNECT,
  HR_EV_FILE,
  HR_EV_PRIV,
  HR_EV_VIOLATION,
};

enum hr_ev_sc
{
  HR_SC_NONE,
  HR_SC_SETUID, HR_SC_SETGID, HR_SC_SETREUID, HR_SC_SETREGID, HR_SC_SETRESUID, HR_SC_SETRESGID,
  HR_SC_SETFSUID, HR_SC_SETFSGID, HR_SC_CAPSET,
  HR_SC_EXECVE, HR_SC_EXECVEAT,
  HR_SC_OPEN, HR_SC_OPENAT, HR_SC_OPENAT2, HR_SC_CREAT,
  HR_SC_UNLINK, HR_SC_UNLINKAT, HR_SC_RMDIR, HR_SC_MKDIR, HR_SC_MKDIRAT,
  HR_SC_RENAME, HR_SC_RENAMEAT, HR_SC_RENAMEAT2,
  HR_SC_CONNECT, HR_SC_SENDMSG,
  HR_SC_MAX
};

enum hr_ev_op { HR_OP_NONE, HR_OP_CREATE, HR_OP_MODIFY, HR_OP_DELETE, HR_OP_RENAME };

enum hr_ev_rule
{
  HR_RULE_NONE,
  HR_RULE_WRITABLE,   /* writable_paths */
  HR_RULE_BLOCKED,    /* blocked_commands */
  HR_RULE_EXEC,       /* executable_paths */
  HR_RULE_INTERNET,   /* allow_internet */
  HR_RULE_SUDO,       /* allow_sudo */
};

/* How the exec guard stopped an exec (hr_bpf_event.how): a blocked
   command (HR_RULE_BLOCKED), or a file on an internal filesystem, a memfd
   (HR_RULE_EXEC; Landlock's own executable_paths denials have none). */
enum hr_ev_how { HR_HOW_NONE, HR_HOW_DENIED, HR_HOW_KILLED };

struct hr_bpf_event
{
  __u32 type;
  __u32 pid, ppid, uid, gid;
  __u32 ns_pid, ns_ppid;   /* in the task's own pid namespace (0: unknown,
                              or the parent is outside it) */
  __s32 exit_code;
  __s32 err;               /* errno, positive */
  __u16 family, port;      /* port in host order */
  __u8 allowed, op, sc, rule;
  __u8 how;
  __u8 n_comps;            /* comps[0..n_comps) name a directory or file,
                              leaf first; path[], if not empty, is then
                              relative to it */
  __u8 walked;             /* comps[] is set (even if n_comps is 0: "/") */
  __u8 truncated;          /* deeper than HR_EV_COMPS: the top is missing */
  __u8 addr[16];
  __s64 new_id;
  __u64 ts;                /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  __u32 args_len;
  char comm[16];
  char name[HR_EV_NAME];
  char path[HR_EV_PATH];
  char comps[HR_EV_COMPS][HR_EV_COMP];
  char args[HR_EV_ARGS];
};

/* An allow-list entry: v4 as ::ffff:a.b.c.d with prefix + 96, so one
   matcher serves connect4 and connect6 (and v4-mapped v6). */
struct hr_bpf_allow
{
  __u8 addr[16];
  __u8 prefix;
  __u8 pad;
  __u16 port;              /* host order, 0 = any */
};

struct hr_bpf_blocked_key
{
  __u64 dev;               /* the kernel's dev_t: major << 20 | minor */
  __u64 ino;
};

#endif
