/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd cgroup driver (`--systemd-cgroup`), as runc's (runc
 * docs/systemd.md): the container's cgroup is a transient unit that systemd
 * creates over D-Bus (sd-bus), a scope holding the init with Delegate=yes,
 * in a slice.  Once the unit runs, its cgroup directory is an ordinary
 * struct hr_cgroup: pause, ps, kill --all, exec and delete work on it as on
 * a cgroupfs one.  delete stops the unit.  The lifecycle reaches all of
 * this through hr_cgroup_driver_systemd (cgroup_driver.h), defined in
 * cgroup_systemd.c; the functions below are its pieces.
 *
 * linux.cgroupsPath is "slice:prefix:name":
 *   slice   parent slice, "" = system.slice, "-" = the root slice
 *   unit    "<prefix>-<name>.scope", or name as is when it ends in ".slice"
 * An empty cgroupsPath means ":hydra-runc:<id>" (runc: ":runc:<id>").
 */
#ifndef HYDRA_CGROUP_SYSTEMD_H
#define HYDRA_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroups/cgroups.h"
#include "error.h"
#include "oci.h"

/* The prefix of the default unit name (runc uses "runc"; engines always
   pass a full "slice:prefix:name", so only bare use sees this). */
#define HR_SYSTEMD_DEFAULT_PREFIX "hydra-runc"

/* Is systemd this host's init (sd_booted(3): /run/systemd/system exists)? */
bool hr_systemd_booted (void);

/* Pure: split cgroupsPath (NULL or "" for the default) into the parent
   slice (for Slice=, "-.slice" for the root slice) and the unit name. */
int hr_systemd_unit_names (const char *cgroups_path, const char *id, char **slice, char **unit, hr_err *err);

/* Before anything changes on disk: systemd must be PID 1 and cgroupsPath
   valid.  Gives the names as hr_systemd_unit_names. */
int hr_systemd_check (const char *cgroups_path, const char *id, char **slice, char **unit, hr_err *err);

/* Start the transient unit with pid in it (a slice: pid is moved into it
   afterwards), the resources systemd understands as unit properties, wait
   for systemd's job to finish, and describe the unit's cgroup.  *started
   says whether systemd took the unit (then a failure must stop it). */
int hr_systemd_cgroup_create (const char *unit, const char *slice, const char *id, pid_t pid,
                              const oci_linux_resources *res, struct hr_cgroup **out, bool *started,
                              hr_err *err);

/* Stop the unit (waiting for the job) and reset its failed state.  A unit
   systemd already forgot (an empty scope is collected) is not an error. */
int hr_systemd_unit_stop (const char *unit, hr_err *err);

#endif
