/* SPDX-License-Identifier: Apache-2.0 */
/* Lowering of config.json mount options into what the mount API takes.
   Pure: no system calls, unit-tested and fuzzed. */
#ifndef HYDRA_MOUNT_OPTS_H
#define HYDRA_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct hr_mount_opts
{
  /* Per-mount attributes for fsmount(2)/mount_setattr(2). */
  uint64_t attr_set, attr_clear;
  bool atime_set;            /* attr_set carries a MOUNT_ATTR__ATIME value */
  bool attr_recursive;       /* any r* form: apply with AT_RECURSIVE */
  /* The r* forms alone (mount_setattr(2) with AT_RECURSIVE, applied
     before attr_set/attr_clear, which then settle the top mount). */
  uint64_t rattr_set, rattr_clear;
  /* Propagation (MS_SHARED/SLAVE/PRIVATE/UNBINDABLE), 0 when not asked. */
  uint64_t propagation;
  bool propagation_recursive;
  bool bind, rbind;
  /* "idmap"/"ridmap" (runtime-spec 1.1+ config.md "Mounts"): map the
     mount with its uidMappings/gidMappings; ridmap does submounts too. */
  bool idmap, ridmap;
  /* "tmpcopyup" (crun, runc): fill a new tmpfs with what the directory
     it covers held. */
  bool tmpcopyup;
  /* Everything else goes to the filesystem via fsconfig(2): "key=value"
     or "flag" strings, in config order.  Points into the config. */
  const char **fs_options;
  size_t fs_options_len;
  /* Superblock flags ("sync", "dirsync", ...) also go to fsconfig. */
};

/* Lower options[0..n).  Unknown words are filesystem options.  The arrays
   in *out are allocated; free with hr_mount_opts_clear(). */
int hr_mount_opts_parse (char *const *options, size_t n, struct hr_mount_opts *out, hr_err *err);
void hr_mount_opts_clear (struct hr_mount_opts *o);

/* Names of every option in the table (for `features`), NULL-terminated. */
const char *const *hr_mount_opts_known (void);

/* The mount attributes before and after applying o to a mount whose
   attributes are `base`: what mount_setattr should set. */
uint64_t hr_mount_opts_apply (const struct hr_mount_opts *o, uint64_t base);

#endif
