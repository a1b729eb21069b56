/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one resolver for paths inside the container's rootfs.  The rootfs is
 * hostile: any component may be a symlink pointing at a host path.  Paths
 * are resolved with openat2(RESOLVE_IN_ROOT), so ".." and absolute symlinks
 * stay inside the rootfs (CVE-2021-30465, CVE-2019-19921, CVE-2024-45310
 * classes), with RESOLVE_NO_MAGICLINKS.  There is no fallback walk: a
 * kernel without openat2 (before 5.6) is below the runtime's floor (5.12,
 * mount_setattr), and ENOSYS is reported as such.  Callers get an fd,
 * never a host path string.
 */
#ifndef HYDRA_RESOLVE_H
#define HYDRA_RESOLVE_H

#include <stdbool.h>
#include "error.h"

/* Open path inside rootfd.  flags: open(2) flags (O_CLOEXEC is added);
   ENOENT is returned as -1 with err->status == ENOENT. */
int hr_open_in_root (int rootfd, const char *path, int flags, hr_err *err);

/* Like hr_open_in_root, but any symlink on the way fails with ELOOP. */
int hr_open_in_root_nosymlinks (int rootfd, const char *path, int flags, hr_err *err);

/* Like hr_open_in_root (O_PATH), creating what is missing: every missing
   directory (0755) and the last component as a directory, or as an empty
   regular file when as_file. */
int hr_create_in_root (int rootfd, const char *path, bool as_file, hr_err *err);

#endif
