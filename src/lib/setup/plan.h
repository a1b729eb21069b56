/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The setup plan (after bubblewrap's typed setup ops).  config.json is
 * lowered, by a pure function, into the ordered list of steps the
 * container's init executes.  The order lives here, in one place, not in a
 * long function: it can be unit-tested without root, fuzzed, and printed
 * with --debug.  Steps point into the config they came from; the config
 * must outlive the plan.
 */
#ifndef HYDRA_PLAN_H
#define HYDRA_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"
#include "kernel/caps.h"
#include "cleanup.h"
#include "kernel/mount_opts.h"
#include "kernel/process_attrs.h"
#include "oci.h"
#include "sandbox/policy.h"

enum hr_step_kind
{
  STEP_CHDIR_BUNDLE,     /* path: the bundle; relative paths in the config (bind
                            sources) are the bundle's (config.md "Mounts") */
  STEP_RECV_BIND_SOURCES, /* parent_opens_binds: one fd per bind STEP_MOUNT, in
                            step order, sent by the parent after GO */
  STEP_JOIN_NS,          /* ns, path: setns into an existing namespace */
  STEP_BECOME_ROOT,      /* setresuid/gid 0 inside a new or joined user namespace */
  STEP_UNSHARE_CGROUPNS, /* a new cgroup namespace, once the parent moved us into our cgroups */
  STEP_LOOPBACK_UP,      /* bring lo up in a new network namespace */
  STEP_SESSION_KEYRING,  /* value: join a new session keyring named after the container */
  STEP_CPU_AFFINITY,     /* cpu_final: execCPUAffinity.final, else .initial */
  STEP_ROOT_PROPAGATION, /* flags: make / rslave (or rootfsPropagation) */
  STEP_OPEN_PROCFS,      /* a detached procfs of our pid namespace: the trusted
                            handle every later procfs write goes through */
  STEP_BIND_ROOTFS,      /* path: bind the rootfs onto itself */
  STEP_OPEN_ROOTFS,      /* path: no mount namespace: open the rootfs as it is, and a detached procfs */
  STEP_CHROOT,           /* no mount namespace: enter the rootfs with chroot(2), no mount */
  STEP_MOUNT,            /* mount, opts: one entry of config.mounts */
  STEP_MOUNT_CGROUP,     /* mount, opts: a "cgroup" mount (v1 or v2 as the host has);
                            flags: HR_MOUNT_CGROUP_NS when the container has a cgroup namespace */
  STEP_DEFAULT_DEVICES,  /* the spec's default devices in /dev */
  STEP_DEVICE,           /* device: one entry of linux.devices */
  STEP_DEV_SYMLINKS,     /* /dev/fd, /dev/std{in,out,err}, /dev/ptmx, /dev/core */
  STEP_RUNTIME_HOOKS,    /* ask the parent to run prestart + createRuntime */
  STEP_CONTAINER_HOOKS,  /* path = stage: run createContainer / startContainer here */
  STEP_MKDIR_CWD,        /* path: create process.cwd inside the rootfs if missing */
  STEP_PIVOT_ROOT,       /* enter the rootfs */
  STEP_REOPEN_DEV_NULL,  /* stdio that is the host's /dev/null becomes the container's */
  STEP_CONSOLE,          /* process.terminal: pty from the container's devpts (terminal.c) */
  STEP_MASK_PATH,        /* path: hide (maskedPaths) */
  STEP_READONLY_PATH,    /* path: bind read-only (readonlyPaths) */
  STEP_DEV_READONLY,     /* a read-only /dev mount, made so once everything under it is set up */
  STEP_ROOT_READONLY,    /* root.readonly */
  STEP_ROOT_PROPAGATION_FINAL, /* flags: rootfsPropagation on the container's / */
  STEP_HOSTNAME,         /* value */
  STEP_DOMAINNAME,       /* value */
  STEP_SYSCTL,           /* key, value: through the trusted procfs handle */
  STEP_OOM_SCORE_ADJ,    /* oom_score_adj */
  STEP_RLIMIT,           /* resource, soft, hard */
  STEP_JOIN_CONTAINER,   /* exec: setns into the init's namespaces (hr_init_args.pidfd),
                            become root of its user namespace, take its root */
  STEP_SCHEDULER,        /* process.scheduler (plan->attrs.sched) */
  STEP_IOPRIO,           /* process.ioPriority */
  STEP_MEMPOLICY,        /* linux.memoryPolicy */
  STEP_EXEC_LABELS,      /* process.apparmorProfile and selinuxLabel, for the exec (lsm.c) */
  STEP_PERSONALITY,      /* linux.personality, just before exec */
  STEP_LANDLOCK,         /* the sandbox policy's Landlock rules (landlock.c), applied
                            by the process to itself: after every step that opens
                            files in the rootfs, still as root (the blocked-command
                            scan reads every executable path), before the filter */
  STEP_SECCOMP,          /* linux.seccomp: before the uid change without
                            no_new_privs (loading needs CAP_SYS_ADMIN then),
                            else last before exec */
  STEP_LOOKUP_EXEC,      /* find process.args[0] in the container's PATH */
  STEP_CHDIR,            /* path: process.cwd, resolved inside the new root */
  STEP_SETSID,           /* exec without a terminal: a session of its own */
  STEP_SETENV,           /* path = value: set in the process's environment (a variable
                            the runtime adds: NOTIFY_SOCKET), replacing the config's */
  STEP_HOME,             /* HOME from the container's /etc/passwd (process.env has none) */
  STEP_LISTEN_FDS,       /* exec: soft = the fds preserved; all sockets: LISTEN_FDS and
                            LISTEN_PID (the process's own pid) in its environment */
  STEP_CAPS_BOUNDING,    /* drop from the bounding set (needs CAP_SETPCAP: before set-user) */
  STEP_SET_USER,         /* uid, gid, additionalGids, keeping capabilities; stays non-dumpable */
  STEP_CAPS,             /* effective, permitted, inheritable, ambient */
  STEP_NO_NEW_PRIVS,
  STEP_UMASK,            /* umask: process.user.umask, else 0022 */
  STEP_REPORT_CREATED,   /* tell the parent: created */
  STEP_REPORT_READY,     /* exec: tell the parent: ready, and wait for its go */
  STEP_WAIT_START,       /* block on exec.fifo until `start` */
  STEP_EXEC,             /* execve the process */
};

#define HR_MOUNT_CGROUP_NS 1

struct hr_step
{
  enum hr_step_kind kind;
  const char *path;                 /* path or key */
  const char *value;                /* a value; for STEP_MOUNT: linux.mountLabel or NULL */
  const struct hr_ns_info *ns;
  const oci_mount *mount;
  const oci_linux_device *device;
  struct hr_mount_opts opts;
  uint64_t flags;                   /* mount and propagation flags */
  int resource;                     /* STEP_RLIMIT */
  uint64_t soft, hard;
  union                             /* one member per kind that has one */
  {
    bool cpu_final;                 /* STEP_CPU_AFFINITY */
    bool no_pivot;                  /* STEP_PIVOT_ROOT */
    bool init_console;              /* STEP_CONSOLE: the init's (with /dev/console), not an exec'd process's */
    int oom_score_adj;              /* STEP_OOM_SCORE_ADJ */
    mode_t umask;                   /* STEP_UMASK */
  };
};

struct hr_plan
{
  struct hr_step *steps;
  size_t len;
  int clone_flags;                  /* namespaces to create with clone3 */
  const char *join_pid;             /* pid namespace to join (the parent does it) */
  bool new_timens;                  /* the parent unshares it and writes offsets */
  bool new_userns;                  /* the parent writes uid_map/gid_map */
  /* The parent opens the source of every bind STEP_MOUNT (as host root,
     in the init's mount namespace) and sends the fds after GO, in step
     order: once it is root of a new user namespace, the init could no
     longer reach a source under a directory only host root may search. */
  bool parent_opens_binds;
  int ns_listed;                    /* clone flags of every namespace in the config, new or joined */
  /* A net.* sysctl with a network namespace joined by path: the caller
     refuses it when that is the runtime's own namespace (hr_plan_check_host). */
  const char *net_sysctl;
  const char *net_sysctl_join;
  const oci_config *config;
  bool exec;                        /* hr_plan_build_exec's: a process joining a running container */
  bool restore;                     /* hr_plan_build_restore's: ends after the mounts, no process */
  const oci_process *process;       /* the process the plan starts (config->process for create) */
  const oci_seccomp *seccomp;       /* the container's linux.seccomp, or NULL */
  const char *rootfs;               /* absolute host path of the rootfs */
  const char *bundle;               /* the init works from here (relative bind sources) */
  struct hr_caps caps;
  bool has_caps;
  struct hr_proc_attrs attrs;
  /* NOTIFY_SOCKET (runc's notify_socket.go setupSpec): the bind mount of
     the state dir's notify directory the runtime adds after config.mounts,
     which its STEP_MOUNT names as any other. */
  oci_mount notify_mount;
  /* The sandbox policy (HR_POLICY_ANNOTATION, sandbox/policy.h) the
     process is confined by (STEP_LANDLOCK), or NULL.  Not owned. */
  const struct hr_policy *policy;
};

/* runc: the notify directory at /run/notify, NOTIFY_SOCKET pointing in it. */
#define HR_NOTIFY_DEST "/run/notify"
#define HR_NOTIFY_SOCKET_IN_CONTAINER HR_NOTIFY_DEST "/notify.sock"

struct hr_plan_opts
{
  const char *rootfs;               /* absolute, resolved by the caller */
  const char *bundle;               /* absolute; relative paths in the config are from here */
  bool no_pivot;
  const char *keyring;              /* session keyring name, NULL with --no-new-keyring */
  bool cgroupns_late;               /* unshare the cgroup namespace after GO, not at clone */
  bool unprivileged;                /* the runtime is not host root (rootless): it cannot
                                       reach the init's /proc/<pid>/root */
  const char *notify_dir;           /* absolute host path of the state dir's notify directory
                                       (notify.h), NULL without NOTIFY_SOCKET */
  const struct hr_policy *policy;   /* the container's sandbox policy, NULL for none;
                                       must outlive the plan */
};

int hr_plan_build (const oci_config *cfg, const struct hr_plan_opts *opts, struct hr_plan **out, hr_err *err);
/* The same lowering of `process` for a process exec'd into a running
   container: cfg is the container's config (its linux.seccomp,
   personality, memoryPolicy apply to every process of the container),
   proc the process to run.  Both must outlive the plan. */
int hr_plan_build_exec (const oci_config *cfg, const oci_process *proc, int preserve_fds, struct hr_plan **out,
                        hr_err *err);
/* The same, for a container with a sandbox policy (NULL: none): an exec'd
   process is confined as the init is. */
int hr_plan_build_exec_policy (const oci_config *cfg, const oci_process *proc, int preserve_fds,
                               const struct hr_policy *policy, struct hr_plan **out, hr_err *err);
/* restore: the part of create's plan that makes mountpoints.  CRIU
   restores the mounts themselves, but their mountpoints must exist in the
   rootfs (and in bind sources, for nested ones) as create left them
   (runc prepareCriuRestoreMounts, runc#2748).  Run in a throwaway mount
   namespace, kept a slave of the host's whatever rootfsPropagation says,
   the mounts do what they did at create: a bind makes the next
   mountpoints inside its source, a tmpfs keeps them out of the rootfs
   (CRIU brings back the tmpfs with its contents). */
int hr_plan_build_restore (const oci_config *cfg, const struct hr_plan_opts *opts, struct hr_plan **out, hr_err *err);
void hr_plan_free (struct hr_plan *plan);
DEFINE_CLEANUP_FUNC (struct hr_plan, hr_plan_free)
/* One line per step, for --debug and the tests.  Caller frees. */
char *hr_plan_format (const struct hr_plan *plan);
const char *hr_step_name (enum hr_step_kind kind);
/* The part of validation that looks at the host (so not in the pure
   hr_plan_build): run before anything is created. */
int hr_plan_check_host (const struct hr_plan *plan, hr_err *err);

#endif
