/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device cgroup (runtime-spec config-linux.md "Device allowlist").
 *
 * The config's rules are applied in order, followed by runc's default
 * allowed devices (libcontainer/specconv AllowedDevices).  Later rules
 * override earlier ones.  The rules are first reduced, as runc's devices
 * emulator does (libcontainer/cgroups/devices/emulator.go), to the state the
 * v1 kernel keeps: a default (allow or deny everything) plus a list of
 * exceptions.  That state is then
 *   v1  written to devices.deny / devices.allow of the devices hierarchy
 *       (only the difference from what devices.list shows, so an update
 *       never briefly denies everything to a running container), or
 *   v2  compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program (ebpf.c),
 *       attached to the cgroup2 dir with BPF_F_ALLOW_MULTI; programs attached
 *       before are detached afterwards, so the swap leaves no window.
 *
 * Limit shared with runc: a deny rule that would punch a hole into a
 * wildcard exception (allow c 1:* rw; deny c 1:3 w) cannot be represented
 * by the v1 kernel and is refused rather than silently ignored.
 */
#ifndef HYDRA_DEVICES_CGROUP_H
#define HYDRA_DEVICES_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cgroups/cgroups.h"
#include "error.h"
#include "oci.h"

#define HR_DEV_WILDCARD (-1)

enum
{
  HR_DEV_ACC_MKNOD = 1, /* values of BPF_DEVCG_ACC_* */
  HR_DEV_ACC_READ = 2,
  HR_DEV_ACC_WRITE = 4,
  HR_DEV_ACC_ALL = 7,
};

/* One rule or exception.  type 'a', 'b' or 'c'; major/minor
   HR_DEV_WILDCARD for "*". */
struct hr_dev_rule
{
  char type;
  int64_t major;
  int64_t minor;
  unsigned access;
  bool allow;
};

/* The reduced state: default + exceptions (each has allow == !default_allow,
   no two with the same type/major/minor). */
struct hr_dev_state
{
  bool default_allow;
  struct hr_dev_rule *rules;
  size_t len;
};

void hr_dev_state_free (struct hr_dev_state *s);
DEFINE_CLEANUP_FUNC (struct hr_dev_state, hr_dev_state_free)

/* Pure: one config rule to hr_dev_rule (`path` names it in errors). */
int hr_dev_rule_from_oci (const oci_linux_device_cgroup *r, struct hr_dev_rule *out, const char *path,
                          hr_err *err);
/* Pure: "rwm" <-> bits. */
int hr_dev_access_parse (const char *s, unsigned *out);
void hr_dev_access_format (unsigned access, char out[4]);

/* Pure: runc's default allowed devices (appended after the config's rules). */
const struct hr_dev_rule *hr_dev_default_rules (size_t *n);

/* Pure: apply one rule to the state (emulator). */
int hr_dev_state_apply (struct hr_dev_state *s, const struct hr_dev_rule *r, hr_err *err);
/* Pure: the state of the config's rules followed by the defaults.  The
   state starts as "deny all", as in runc (an empty allowlist): with no
   rules only the default devices are allowed. */
int hr_dev_state_build (oci_linux_device_cgroup *const *rules, size_t n, struct hr_dev_state *out,
                        hr_err *err);
/* Pure: parse a v1 devices.list ("a *:* rwm" means allow-all). */
int hr_dev_state_from_list (const char *list, struct hr_dev_state *out, hr_err *err);

/* Apply the device rules to the container's cgroup (v1 devices hierarchy,
   else cgroup2 eBPF).  Called at create and update. */
int hr_cgroup_set_devices (const struct hr_cgroup *cg, oci_linux_device_cgroup *const *rules, size_t n,
                           hr_err *err);

#endif
