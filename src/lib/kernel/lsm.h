/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux security modules: process.apparmorProfile, process.selinuxLabel
 * (runtime-spec config.md "Process") and linux.mountLabel (config-linux.md).
 *
 * A label is applied where the host runs that module and refused, naming
 * the field, where it does not: running the process unconfined because the
 * module is missing would silently drop what the config asked for (runc
 * fails too: its validator refuses an SELinux label when SELinux is off,
 * and the AppArmor write to attr/exec fails without AppArmor).
 *
 * Labels take effect at the process's execve: they are written to
 * /proc/thread-self/attr/.../exec through a trusted procfs (never the
 * container's /proc: CVE-2019-16884).  The mount label becomes the
 * `context=` option of the container's filesystem mounts, as runc's
 * label.FormatMountLabel does.
 */
#ifndef HYDRA_LSM_H
#define HYDRA_LSM_H

#include <stdbool.h>
#include "error.h"

enum hr_lsm
{
  HR_LSM_SELINUX,
  HR_LSM_APPARMOR,
};

/* Does the running kernel enforce this module?  /sys/kernel/security/lsm
   (the active LSMs), else the module's own files (/sys/fs/selinux,
   /sys/module/apparmor/parameters/enabled). */
bool hr_lsm_enabled (enum hr_lsm lsm);

/* The labels a process (and its container's mounts) asks for, each NULL
   or "" when not set, with the name the user gave each one (a config
   field, a command-line flag) for the error. */
struct hr_lsm_labels
{
  const char *apparmor, *apparmor_field;
  const char *selinux, *selinux_field;
  const char *mount, *mount_field;
};

/* Refuse any label whose module the host does not run.  Called before
   anything is made, so that a refused config leaves nothing behind. */
int hr_lsm_check (const struct hr_lsm_labels *l, hr_err *err);

/* In the process about to execve, procfd a trusted procfs of its pid
   namespace: the AppArmor profile and SELinux label it runs under after
   execve.  Either may be NULL or "". */
int hr_lsm_set_exec (int procfd, const char *apparmor, const char *selinux, hr_err *err);

#endif
