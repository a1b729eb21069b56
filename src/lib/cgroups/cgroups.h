/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroups: where a container's cgroup lives and its lifetime (runtime-spec
 * config-linux.md "Control groups").  Three host layouts:
 *   unified  cgroup2 at /sys/fs/cgroup (every controller there)
 *   hybrid   v1 controllers under /sys/fs/cgroup/<ctrl>, plus a cgroup2
 *            mount at /sys/fs/cgroup/unified (systemd's hybrid mode; crun
 *            refuses it, we must not)
 *   legacy   v1 only
 * A container's cgroup is one directory per hierarchy.  The resolved paths
 * are stored in state.json, so delete/pause/update from any process find
 * the same directories, whatever that process's own cgroup.
 */
#ifndef HYDRA_CGROUPS_H
#define HYDRA_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cleanup.h"
#include "error.h"
#include "oci.h"

enum hr_cgroup_layout { HR_CGROUP_LEGACY, HR_CGROUP_HYBRID, HR_CGROUP_UNIFIED };

#define HR_CGROUP_ROOT "/sys/fs/cgroup"

/* One hierarchy the container has a directory in. */
struct hr_cgroup_dir
{
  char *controllers;  /* "memory", "cpu,cpuacct", "name=systemd"; "unified" for cgroup2 */
  char *dir;          /* absolute: /sys/fs/cgroup/memory/process_api/x/<id> */
  bool existed;       /* create found it rather than made it: a failed create leaves it */
};

struct hr_cgroup_driver;

struct hr_cgroup
{
  enum hr_cgroup_layout layout;
  struct hr_cgroup_dir *dirs;
  size_t len;
  /* The driver that made or loaded it (cgroup_driver.h); every lifecycle
     operation goes through it. */
  const struct hr_cgroup_driver *driver;
  /* systemd driver: the container id and the unit asked for (and its
     parent slice), and whether systemd took the unit (then it is recorded
     in state.json and stopped with the cgroup). */
  char *id, *unit, *slice;
  bool unit_started;
  /* --rootless: device rules that cannot be set are not an error (runc:
     "not expected to work"); with no cgroupsPath also a hierarchy the user
     may not write is left out instead of failing the create (skip). */
  bool rootless, skip;
};

enum hr_cgroup_layout hr_cgroup_layout (void);
const char *hr_cgroup_layout_name (enum hr_cgroup_layout l);
/* Pure: does `spec` give a container a cgroup namespace on this layout?
   Only on pure cgroup v2, as runc 1.2+ does (runc 1.1 never). */
bool hr_cgroup_ns_by_default (enum hr_cgroup_layout l);

/* Pure: the container's cgroup path in a hierarchy where the runtime
   itself is at `own` (from /proc/self/cgroup).  An absolute cgroupsPath is
   taken from the hierarchy's root; a relative one (and the default, the
   container id, as runc does) from the runtime's own cgroup. */
char *hr_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own);
/* Refuse a cgroupsPath that cleans to no cgroup of its own ("/", ".",
   "a/.."); run before anything is created. */
int hr_cgroup_check_path (const char *cgroups_path, hr_err *err);

/* Where the host mounts the v1 hierarchy of `controllers` (as in
   /proc/self/cgroup: "memory", "cpu,cpuacct", "name=systemd"), or NULL. */
char *hr_cgroup_v1_mount (const char *controllers);

/* Make the container's directories (mkdir -p in every hierarchy of this
   process, parents included) and describe them.  rootless: a hierarchy
   where that is not permitted is left out when cgroups_path is empty. */
int hr_cgroup_create (const char *cgroups_path, const char *id, bool rootless, struct hr_cgroup **out, hr_err *err);
/* Pure: is this failure (an errno of mkdir or of a cgroup.procs write) one
   that rootless leaves a hierarchy out for?  runc's isIgnorableError. */
bool hr_cgroup_rootless_ignorable (int e);
/* Before the init joins the cgroup create made or found: refuse a frozen
   one (the init would hang there; runc: "container's cgroup unexpectedly
   frozen") and warn about processes already in it (runc warns too). */
int hr_cgroup_check_joinable (const struct hr_cgroup *cg, hr_err *err);
/* Rebuild from what state.json recorded (controllers -> absolute dir). */
int hr_cgroup_from_state (const oci_string_map *paths, struct hr_cgroup **out, hr_err *err);
/* Record it for state.json. */
void hr_cgroup_to_state (const struct hr_cgroup *cg, oci_string_map *paths);
void hr_cgroup_free (struct hr_cgroup *cg);
DEFINE_CLEANUP_FUNC (struct hr_cgroup, hr_cgroup_free)

/* Pure: does a v1 hierarchy's list ("cpu,cpuacct") hold `controller`? */
bool hr_cgroup_controllers_have (const char *controllers, const char *controller);
/* Absolute directory of the container in the hierarchy holding `controller`
   ("memory", "freezer"; "" for cgroup2), or NULL. */
const char *hr_cgroup_dir_of (const struct hr_cgroup *cg, const char *controller);

/* exec --cgroup: the container's sub-cgroup `sub` (relative, no ".."),
   which must exist in every hierarchy; refusing anything that would leave
   the container's cgroup. */
int hr_cgroup_sub (const struct hr_cgroup *cg, const char *sub, struct hr_cgroup **out, hr_err *err);

/* Move pid into the container's cgroup in every hierarchy. */
int hr_cgroup_enter (const struct hr_cgroup *cg, pid_t pid, hr_err *err);
/* The same for a rootless create's init: a hierarchy it may not enter is
   removed and left out, unless `needed` names it (resources were set
   there): then runc's "cannot set <controller> limit" error. */
int hr_cgroup_enter_rootless (struct hr_cgroup *cg, pid_t pid, bool (*needed) (const char *controllers, void *arg),
                              void *arg, hr_err *err);
/* Move pid into the hierarchy that freezes the container (freezer true)
   or into every other one (false): exec into a paused container joins the
   device rules and limits before it opens anything of the container, and
   the frozen part only once its setup is done. */
int hr_cgroup_enter_part (const struct hr_cgroup *cg, pid_t pid, bool freezer, hr_err *err);
/* An O_DIRECTORY fd of the cgroup2 directory, for clone3's
   CLONE_INTO_CGROUP (unified layout only), or -1. */
int hr_cgroup_v2_dirfd (const struct hr_cgroup *cg);
/* Remove every directory (but those create found existing), retrying
   (bounded) while the kernel still counts tasks that are exiting. */
int hr_cgroup_destroy (const struct hr_cgroup *cg, hr_err *err);
/* Pids in the container's cgroup (cgroup.procs of the freezer/pids/unified
   hierarchy), for ps and kill --all. */
int hr_cgroup_pids (const struct hr_cgroup *cg, pid_t **pids, size_t *n, hr_err *err);
/* Freeze or thaw, waiting until the kernel reports it done. */
int hr_cgroup_freeze (const struct hr_cgroup *cg, bool freeze, hr_err *err);
/* Is the container's cgroup frozen? */
bool hr_cgroup_frozen (const struct hr_cgroup *cg);

/* Write value to <dir>/<file>, naming both in the error. */
int hr_cgroup_write (const char *dir, const char *file, const char *value, hr_err *err);
int hr_cgroup_read (const char *dir, const char *file, char **out, hr_err *err);

#endif
