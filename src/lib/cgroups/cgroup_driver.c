/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroupfs driver and the driver selection (cgroup_driver.h says why
 * one driver covers legacy, hybrid and unified hosts).
 */
#include <config.h>
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_resources.h"
#include "lifecycle/events.h"
#include "util.h"

#include <string.h>

const struct hr_cgroup_driver *
hr_cgroup_driver_select (bool systemd_cgroup)
{
  return systemd_cgroup ? &hr_cgroup_driver_systemd : &hr_cgroup_driver_fs;
}

bool
hr_cgroup_made (const struct hr_cgroup *cg)
{
  return cg != NULL && cg->len > 0;
}

static bool
fs_available (void)
{
  return true;
}

/* On v2 the init is cloned straight into its cgroup (CLONE_INTO_CGROUP);
   on v1 and hybrid the parent moves it after clone. */
static bool
fs_places_after_clone (void)
{
  return hr_cgroup_layout () != HR_CGROUP_UNIFIED;
}

static int
fs_check (const char *cgroups_path, const char *id, hr_err *err)
{
  (void) id;
  return hr_cgroup_check_path (cgroups_path, err);
}

static int
fs_prepare (const char *cgroups_path, const char *id, bool rootless, struct hr_cgroup **out, hr_err *err)
{
  if (hr_cgroup_create (cgroups_path, id, rootless, out, err) < 0)
    return -1;
  (*out)->driver = &hr_cgroup_driver_fs;
  /* On failure the caller destroys what *out describes. */
  return hr_cgroup_check_joinable (*out, err);
}

int
hr_cgroupfs_place (const struct hr_cgroup *cg, pid_t pid, enum hr_cgroup_part part, hr_err *err)
{
  if (part == HR_CGROUP_PART_ALL)
    return hr_cgroup_enter (cg, pid, err);
  return hr_cgroup_enter_part (cg, pid, part == HR_CGROUP_PART_FREEZER, err);
}

/* Did set_resources write a limit into the hierarchy of `controllers`
   ("memory", "cpu,cpuacct", "unified")?  Then a rootless init that cannot
   join it must not run without it. */
static bool
limits_in (const char *controllers, void *arg)
{
  const struct hr_cgroup_ops *ops = arg;
  bool v2 = strcmp (controllers, "unified") == 0;

  for (size_t i = 0; i < ops->len; i++)
    {
      const struct hr_cgroup_write_op *w = &ops->ops[i];
      if (v2 ? w->v2 : (!w->v2 && hr_cgroup_controllers_have (controllers, w->controller)))
        return true;
    }
  return false;
}

static int
fs_place_init (struct hr_cgroup *cg, pid_t pid, bool born_inside, const oci_linux_resources *res, hr_err *err)
{
  /* (the limits were written by set_resources before the init existed) */
  if (born_inside)
    return 0;
  if (cg->skip)
    {
      _cleanup_ (hr_cgroup_ops_clear) struct hr_cgroup_ops ops = { 0 };
      hr_err e = NULL;
      if (res && hr_cgroup_lower_resources (res, hr_cgroup_v2_mask (cg), &ops, &e) < 0)
        hr_error_free (&e); /* (set_resources failed on it already) */
      return hr_cgroup_enter_rootless (cg, pid, limits_in, &ops, err);
    }
  return hr_cgroupfs_place (cg, pid, HR_CGROUP_PART_ALL, err);
}

int
hr_cgroupfs_sub (const struct hr_cgroup *cg, const char *sub, struct hr_cgroup **out, hr_err *err)
{
  if (hr_cgroup_sub (cg, sub, out, err) < 0)
    return -1;
  (*out)->driver = cg->driver;
  return 0;
}

const char *
hr_cgroupfs_memory_dir (const struct hr_cgroup *cg, bool *v2)
{
  *v2 = cg->layout == HR_CGROUP_UNIFIED;
  return hr_cgroup_dir_of (cg, *v2 ? "" : "memory");
}

static int
fs_destroy (const struct hr_cgroup *cg, hr_err *err)
{
  return hr_cgroup_destroy (cg, err);
}

void
hr_cgroupfs_to_state (const struct hr_cgroup *cg, hr_state_file *st)
{
  hr_cgroup_to_state (cg, &st->cgroup_paths);
}

int
hr_cgroupfs_from_state (const hr_state_file *st, struct hr_cgroup **out, hr_err *err)
{
  *out = NULL;
  if (st == NULL || st->cgroup_paths.len == 0)
    return 0;
  if (hr_cgroup_from_state (&st->cgroup_paths, out, err) < 0)
    return -1;
  (*out)->driver = &hr_cgroup_driver_fs;
  return 0;
}

const struct hr_cgroup_driver hr_cgroup_driver_fs = {
  .name = "cgroupfs",
  .available = fs_available,
  .places_after_clone = fs_places_after_clone,
  .check = fs_check,
  .prepare = fs_prepare,
  .place_init = fs_place_init,
  HR_CGROUPFS_DIR_OPS,
  .destroy = fs_destroy,
  .to_state = hr_cgroupfs_to_state,
  .from_state = hr_cgroupfs_from_state,
};
