/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by mounts.c and mounts_special.c; not a public API. */
#ifndef HYDRA_MOUNTS_INTERNAL_H
#define HYDRA_MOUNTS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "error.h"
#include "oci.h"

/* A new, detached mount of fstype configured with options. */
int hr_new_fs_mount (const char *fstype, const char *source, const char *const *options, size_t n, uint64_t attrs,
                     hr_err *err);
/* mount_setattr(2) on the mount mfd (AT_RECURSIVE when recursive). */
int hr_set_mount_attrs (int mfd, uint64_t set, uint64_t clr, uint64_t propagation, bool recursive, const char *dest,
                        hr_err *err);

/* Make the detached mount mfd an idmapped mount (MOUNT_ATTR_IDMAP) with
   the mount's uidMappings/gidMappings; recursive for "ridmap". */
int hr_mount_idmap (int mfd, const oci_mount *m, bool recursive, hr_err *err);
/* Copy the contents of the directory srcfd (O_PATH is fine) into the
   directory dstfd, for "tmpcopyup". */
int hr_copy_tree (int srcfd, int dstfd, const char *dest, hr_err *err);

#endif
