/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blocked_commands by file identity (docs/sandbox.md): every file named
 * like a blocked command in the container's executable_paths, following
 * symlinks inside the rootfs, gives a (dev, ino).  Shared by Landlock
 * (which leaves dedicated binaries out of its EXECUTE grants) and the
 * eBPF exec guard (sandbox_bpf.h, which stops multi-call ones by name).
 */
#ifndef HYDRA_SANDBOX_BLOCKED_H
#define HYDRA_SANDBOX_BLOCKED_H

#include <stddef.h>
#include "error.h"
#include "sandbox/policy.h"
#include "sandbox/sandbox_bpf.h"

/* Scan the trees `paths` (absolute, inside the root) of rootfd, the
   container's root directory, for files named like one of `names`.
   Every path is resolved with openat2(RESOLVE_IN_ROOT) (resolve.h); a
   symlink to a directory is not descended (its target is scanned when it
   is itself listed).  A missing tree is skipped.  *out: one entry per
   distinct file (caller frees), multicall when the same file is also
   reached, in these trees, by a symlink with a name that is not blocked
   or by two or more directory entries with such names (busybox as sh,
   ls...).  One directory entry of its own with another name does not
   make it multi-call: /bin/nc -> nc.openbsd is the same command, and a
   hard link of a blocked binary under a new name is that binary (it stays
   excluded from Landlock's EXECUTE grants). */
int hr_blocked_scan (int rootfd, char *const *paths, size_t n_paths, char *const *names, size_t n_names,
                     struct hr_blocked_exe **out, size_t *n_out, hr_err *err);

/* The same for a policy's executable_paths and blocked_commands. */
int hr_blocked_scan_policy (int rootfd, const struct hr_policy *p, struct hr_blocked_exe **out, size_t *n_out,
                            hr_err *err);

#endif
