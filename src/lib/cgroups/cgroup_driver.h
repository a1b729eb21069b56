/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup driver: one table of the operations the lifecycle needs on a
 * container's cgroup (after crun's libcrun_cgroup_manager), so that create,
 * exec, update, pause/resume, events, ps, kill and delete never branch on
 * the host's layout or on --systemd-cgroup themselves.
 *
 * Two drivers:
 *   cgroupfs  the runtime makes the directories itself.  One driver for
 *             legacy, hybrid and unified hosts: a struct hr_cgroup is
 *             already one directory per hierarchy, and what differs by
 *             layout (the freezer file, CLONE_INTO_CGROUP, the resource
 *             files) is decided per hierarchy inside its helpers
 *             (cgroups.c, cgroup_resources.c, events_stats.c).
 *   systemd   a transient unit over D-Bus (cgroup_systemd.h); once the unit
 *             runs, its directories are handled by the cgroupfs helpers,
 *             as runc's systemd manager does with its fs manager.
 *
 * The driver is chosen in one place, hr_cgroup_driver_select, as runc does:
 * by --systemd-cgroup at create, by what state.json recorded of it later.
 */
#ifndef HYDRA_CGROUP_DRIVER_H
#define HYDRA_CGROUP_DRIVER_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroups/cgroups.h"
#include "error.h"
#include "json.h"
#include "oci.h"

/* Which hierarchies place moves a process into (exec into a paused
   container joins the frozen one last). */
enum hr_cgroup_part
{
  HR_CGROUP_PART_ALL,
  HR_CGROUP_PART_UNFROZEN, /* every hierarchy but the one that freezes */
  HR_CGROUP_PART_FREEZER,  /* only the one that freezes */
};

struct hr_cgroup_driver
{
  const char *name; /* "cgroupfs", "systemd" */
  /* Can this host use the driver at all (features)? */
  bool (*available) (void);
  /* Does the init enter its cgroup only after clone?  Then its cgroup
     namespace must be made after that, or it would be rooted at ours. */
  bool (*places_after_clone) (void);
  /* Before anything changes on disk: refuse a cgroupsPath (or a host)
     the driver cannot use. */
  int (*check) (const char *cgroups_path, const char *id, hr_err *err);
  /* Before the init exists: make or find the container's cgroup, refusing
     a frozen one.  A driver that makes it only around the init (systemd)
     gives a handle with no directories yet (hr_cgroup_made is false).
     rootless: hr_context_rootless (cgroups.h's hr_cgroup.rootless). */
  int (*prepare) (const char *cgroups_path, const char *id, bool rootless, struct hr_cgroup **out, hr_err *err);
  /* An O_DIRECTORY fd for clone3's CLONE_INTO_CGROUP, or -1. */
  int (*clone_into) (const struct hr_cgroup *cg);
  /* The init exists and waits for GO: put it in its cgroup, unless it was
     born there (born_inside: clone_into's fd was used).  systemd starts
     the unit here, with the limits it understands as unit properties. */
  int (*place_init) (struct hr_cgroup *cg, pid_t pid, bool born_inside, const oci_linux_resources *res,
                     hr_err *err);
  /* Move another process (exec) into the container's cgroup. */
  int (*place) (const struct hr_cgroup *cg, pid_t pid, enum hr_cgroup_part part, hr_err *err);
  /* exec --cgroup: the container's sub-cgroup `sub`, same driver. */
  int (*sub) (const struct hr_cgroup *cg, const char *sub, struct hr_cgroup **out, hr_err *err);
  /* linux.resources at create, device rules included. */
  int (*set_resources) (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err);
  /* `update`: the merged resources, device rules left alone. */
  int (*update_resources) (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err);
  /* Freeze or thaw, waiting until the kernel reports it done. */
  int (*freeze) (const struct hr_cgroup *cg, bool freeze, hr_err *err);
  bool (*frozen) (const struct hr_cgroup *cg);
  /* `events`: runc's stats JSON; and the memory cgroup whose OOM kills are
     reported (NULL: none), with *v2 saying which files it has. */
  json_value *(*stats) (const struct hr_cgroup *cg);
  const char *(*memory_dir) (const struct hr_cgroup *cg, bool *v2);
  /* The pids in the cgroup (ps, kill --all, delete). */
  int (*procs) (const struct hr_cgroup *cg, pid_t **pids, size_t *n, hr_err *err);
  /* Remove it (systemd: stop the unit first), retrying (bounded) while
     the kernel still counts exiting tasks; what prepare found existing
     stays. */
  int (*destroy) (const struct hr_cgroup *cg, hr_err *err);
  /* Record it in state.json / rebuild it from there (*out NULL when the
     record names no cgroup). */
  void (*to_state) (const struct hr_cgroup *cg, hr_state_file *st);
  int (*from_state) (const hr_state_file *st, struct hr_cgroup **out, hr_err *err);
};

extern const struct hr_cgroup_driver hr_cgroup_driver_fs;
extern const struct hr_cgroup_driver hr_cgroup_driver_systemd;

/* The one place a driver is chosen: --systemd-cgroup (create), or the
   state.json record of it (every later command). */
const struct hr_cgroup_driver *hr_cgroup_driver_select (bool systemd_cgroup);

/* Pure: does the handle have its directories yet? */
bool hr_cgroup_made (const struct hr_cgroup *cg);

/* The operations on a cgroup's directories once they exist: the cgroupfs
   driver's, and the systemd driver's once its unit runs. */
#define HR_CGROUPFS_DIR_OPS                                                               \
  .clone_into = hr_cgroup_v2_dirfd, .place = hr_cgroupfs_place, .sub = hr_cgroupfs_sub,   \
  .set_resources = hr_cgroup_set_resources, .update_resources = hr_cgroup_update_resources, \
  .freeze = hr_cgroup_freeze, .frozen = hr_cgroup_frozen, .stats = hr_cgroup_stats_json,    \
  .memory_dir = hr_cgroupfs_memory_dir, .procs = hr_cgroup_pids

/* cgroupfs operations the systemd driver shares once its unit runs. */
int hr_cgroupfs_place (const struct hr_cgroup *cg, pid_t pid, enum hr_cgroup_part part, hr_err *err);
void hr_cgroupfs_to_state (const struct hr_cgroup *cg, hr_state_file *st);
int hr_cgroupfs_from_state (const hr_state_file *st, struct hr_cgroup **out, hr_err *err);
int hr_cgroupfs_sub (const struct hr_cgroup *cg, const char *sub, struct hr_cgroup **out, hr_err *err);
const char *hr_cgroupfs_memory_dir (const struct hr_cgroup *cg, bool *v2);

#endif
