/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause / resume: freeze the container's cgroup (v1 freezer.state, v2
 * cgroup.freeze) and report "paused" while it is frozen.
 */
#include <config.h>
#include "hydra.h"
#include "cgroups/cgroup_driver.h"
#include "cleanup.h"
#include "lifecycle/lifecycle.h"

#include <errno.h>
#include <string.h>


int
hr_container_cgroup (const struct hr_container *c, struct hr_cgroup **out, hr_err *err)
{
  *out = NULL;
  if (c->state == NULL)
    return 0;
  /* The driver create used, as state.json recorded it (runc keeps its
     cgroup manager's kind in its state too). */
  return hr_cgroup_driver_select (c->state->systemd_cgroup)->from_state (c->state, out, err);
}

static int
set_frozen (struct hr_context *ctx, const char *id, bool freeze, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  struct hr_container c;
  int ret = -1;

  if (hr_container_load (ctx, id, HR_STATE_LOCK_EX, &c, err) < 0)
    return -1;
  if (freeze && strcmp (c.status, "running") != 0 && strcmp (c.status, "created") != 0)
    {
      hr_error_plain (err, EINVAL, "container not running");
      goto out;
    }
  if (!freeze && strcmp (c.status, "paused") != 0)
    {
      hr_error_plain (err, EINVAL, "container not paused");
      goto out;
    }
  if (hr_container_cgroup (&c, &cg, err) < 0)
    goto out;
  if (cg == NULL)
    {
      hr_error_plain (err, ENOTSUP, "container has no cgroup to freeze");
      goto out;
    }
  ret = cg->driver->freeze (cg, freeze, err);
out:
  hr_container_release (&c);
  return ret;
}

int
hr_container_pause (struct hr_context *ctx, const char *id, hr_err *err)
{
  return set_frozen (ctx, id, true, err);
}

int
hr_container_resume (struct hr_context *ctx, const char *id, hr_err *err)
{
  return set_frozen (ctx, id, false, err);
}
