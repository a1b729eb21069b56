/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mounts inside the container's mount namespace (runtime-spec config.md
 * "Mounts", config-linux.md "Masked/Readonly Paths", "Rootfs Mount
 * Propagation").  Everything uses the new mount API (fsopen, fsmount,
 * open_tree, move_mount, mount_setattr) against fds from the resolver, so
 * no path inside the rootfs is ever handed to mount(2) as a string.
 */
#ifndef HYDRA_MOUNTS_H
#define HYDRA_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"
#include "setup/plan.h"

int hr_mount_root_propagation (uint64_t flags, hr_err *err);
/* Bind the rootfs onto itself and return an O_PATH fd of the new mount. */
int hr_mount_bind_rootfs (const char *rootfs, hr_err *err);
/* srcfd: for a bind mount, an O_PATH fd of its source in our mount
   namespace (plan->parent_opens_binds), or -1 to open the source here. */
int hr_mount_step (int rootfd, const struct hr_step *step, int srcfd, hr_err *err);
int hr_mount_cgroup (int rootfd, const struct hr_step *step, hr_err *err);
/* Enter the rootfs: pivot_root(2), or MS_MOVE + chroot with no_pivot.
   propagation: the rootfsPropagation flags (a shared root is made private
   first, pivot_root refuses it). */
int hr_pivot_root (int rootfd, uint64_t propagation, bool no_pivot, hr_err *err);
/* No mount namespace: enter the rootfs with chroot(2), which changes no
   mount table (runc 1.1 chroots there too, after mounting on the host's). */
int hr_chroot_rootfs (int rootfd, hr_err *err);
int hr_mask_path (int rootfd, const char *path, hr_err *err);
int hr_readonly_path (int rootfd, const char *path, hr_err *err);
int hr_root_readonly (int rootfd, hr_err *err);
/* A /dev mount asked read-only, made so at the end of the rootfs setup. */
int hr_dev_readonly (int rootfd, hr_err *err);
/* A private procfs instance, detached (never visible in any mount tree):
   the trusted handle for every procfs write the runtime makes. */
int hr_open_trusted_proc (hr_err *err);
/* Write value to rel under the trusted procfs procfd, never following a
   path the container controls (CVE-2019-16884, CVE-2025-52881 classes). */
int hr_proc_write (int procfd, const char *rel, const char *value, hr_err *err);

#endif
