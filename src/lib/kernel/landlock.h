/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Landlock for the sandbox policy (issue 16, docs/sandbox.md): the
 * filesystem, TCP-connect and scoping rules the container's init applies
 * to itself last before seccomp (plan.c, STEP_LANDLOCK).  Landlock has
 * grown by ABI version (Documentation/userspace-api/landlock.rst): each
 * feature the policy asks for is enforced where this kernel's ABI has it
 * and reported missing by name otherwise, never dropped silently; the
 * caller refuses the container under `require: all`.
 */
#ifndef HYDRA_LANDLOCK_H
#define HYDRA_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "sandbox/policy.h"

enum hr_landlock_feature
{
  HR_LL_FS_WRITE,       /* ABI 1: writes only beneath writable_paths */
  HR_LL_EXEC,           /* ABI 1: execute only beneath executable_paths */
  HR_LL_REFER,          /* ABI 2: cross-directory rename/link handled (else always EXDEV) */
  HR_LL_TRUNCATE,       /* ABI 3: truncate(2) outside writable_paths */
  HR_LL_TCP_CONNECT,    /* ABI 4: connect(2) only to the allow-list's ports */
  HR_LL_TCP_BIND,       /* ABI 4: never asked (the policy has no rule for listening) */
  HR_LL_IOCTL_DEV,      /* ABI 5: ioctl on device files opened in the sandbox */
  HR_LL_SCOPE_ABSTRACT_UNIX, /* ABI 6: no connect to abstract sockets outside the domain */
  HR_LL_SCOPE_SIGNAL,   /* ABI 6: no signals to processes outside the domain */
  HR_LL_N
};

enum hr_landlock_state
{
  HR_LL_NOT_ASKED,      /* the policy does not need it */
  HR_LL_ENFORCED,
  HR_LL_MISSING,        /* asked for, but this kernel cannot: `why` says */
};

struct hr_landlock_report
{
  int abi;                                  /* 0: no Landlock */
  enum hr_landlock_state state[HR_LL_N];
  const char *why[HR_LL_N];                 /* static text, NULL when enforced */
  /* blocked_commands by file identity (blocked.h): dedicated binaries left
     out of the EXECUTE grants; multi-call ones (busybox) left to eBPF */
  size_t blocked_excluded, blocked_multicall;
};

/* The access rights the ruleset handles (denies unless a rule grants). */
struct hr_landlock_masks
{
  uint64_t fs, net, scoped;
  uint64_t fs_write;        /* the rights of a writable path */
  uint64_t fs_dev;          /* /dev: write, and truncate/ioctl where handled */
};

/* The kernel's Landlock ABI version, 0 when it has none (not built, or
   not in lsm=). */
int hr_landlock_abi (void);

/* Pure: what a ruleset for `p` handles on a kernel of ABI `abi`, and the
   report of what that enforces.  abi 0: nothing handled, everything the
   policy needs reported missing. */
void hr_landlock_lower (int abi, const struct hr_policy *p, struct hr_landlock_masks *m, struct hr_landlock_report *r);

/* True when a feature the policy asks for is missing (require: all refuses). */
bool hr_landlock_report_incomplete (const struct hr_landlock_report *r);

const char *hr_landlock_feature_name (enum hr_landlock_feature f);

/* The report as a JSON object, {"abi":N,"features":{...},"blocked":{...}},
   for <state>/sandbox.json.  Caller frees. */
char *hr_landlock_report_json (const struct hr_landlock_report *r);

/* The report hr_landlock_apply would give, without applying anything:
   for the runtime's side (<state>/sandbox.json, `require: all`), on the
   same kernel as the init.  rootfd: the container's rootfs (the blocked
   counts come from its executable paths). */
int hr_landlock_report_for (int rootfd, const struct hr_policy *p, struct hr_landlock_report *r, hr_err *err);

/* Restrict the calling process (and what it execs) to `p`.  rootfd: the
   container's root, already "/" (after pivot_root or the join).  Sets
   no_new_privs first (landlock_restrict_self(2) needs it).  Without
   Landlock it does nothing and says so in *r; returns -1 only when the
   kernel has Landlock and applying it failed.
   Read everywhere; every write right beneath writable_paths and /dev/shm;
   WRITE_FILE (and TRUNCATE, IOCTL_DEV) on /dev, WRITE_FILE on /proc;
   EXECUTE beneath executable_paths but on dedicated blocked binaries.
   A process exec'd into the container gets a domain of its own (Landlock
   domains cannot be joined): under the scoping of ABI 6 it and the init's
   processes cannot signal each other nor meet on abstract unix sockets. */
int hr_landlock_apply (int rootfd, const struct hr_policy *p, struct hr_landlock_report *r, hr_err *err);

#endif
