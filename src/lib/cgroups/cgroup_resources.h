/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources -> cgroup files (runtime-spec config-linux.md "Control
 * groups"), for create and `update`.
 *
 * Two halves:
 *   lowering  pure: resources -> ordered list of (controller, file, value).
 *             Each controller is lowered for v1 or v2 according to a mask,
 *             since on a hybrid host a controller missing from the v1
 *             mounts may live on the cgroup2 mount (hugetlb on some hosts).
 *             Values follow runc: cpu.weight from shares (the quadratic
 *             conversion of runc 1.3 and crun), memory.swap.max = swap -
 *             limit, io.weight from blkio weights, "max" for -1.
 *   applier   writes the list into the container's directories
 *             (hr_cgroup_dir_of), in order; writes that the kernel refuses
 *             with EINVAL/EBUSY are retried once after the others, since a
 *             limit pair (memory vs memsw, cfs period vs quota) is only
 *             valid in one order, which depends on the current values.
 */
#ifndef HYDRA_CGROUP_RESOURCES_H
#define HYDRA_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cgroups/cgroups.h"
#include "error.h"
#include "oci.h"

/* Controllers, as bits of the v2 mask. */
enum
{
  HR_CG_MEMORY = 1u << 0,
  HR_CG_CPU = 1u << 1,
  HR_CG_CPUSET = 1u << 2,
  HR_CG_PIDS = 1u << 3,
  HR_CG_BLKIO = 1u << 4, /* v1 blkio, v2 io */
  HR_CG_HUGETLB = 1u << 5,
  HR_CG_NET_CLS = 1u << 6,
  HR_CG_NET_PRIO = 1u << 7,
  HR_CG_RDMA = 1u << 8,
  HR_CG_UNIFIED = 1u << 9, /* the host is pure cgroup2: `unified` is allowed */
  HR_CG_ALL_V2 = (1u << 10) - 1,
};

enum
{
  HR_CGW_OPTIONAL = 1u << 0,    /* a missing file (ENOENT) is skipped */
  HR_CGW_CHECK_USAGE = 1u << 1, /* memory.checkBeforeUpdate: refuse a limit below usage */
};

/* One write: <dir of controller>/<file> = value.  When the file does not
   exist, alt_file = alt_value is tried instead (blkio.weight ->
   blkio.bfq.weight, io.bfq.weight -> io.weight). */
struct hr_cgroup_write_op
{
  const char *controller; /* v1 hierarchy name ("memory", "cpu", ...) */
  bool v2;                /* write to the cgroup2 directory */
  char *file;
  char *value;
  char *alt_file;
  char *alt_value;
  unsigned flags;
};

struct hr_cgroup_ops
{
  struct hr_cgroup_write_op *ops;
  size_t len;
};

void hr_cgroup_ops_clear (struct hr_cgroup_ops *ops);

/* Pure.  Lower r: controllers whose bit is in v2_mask as cgroup v2, the
   others as v1.  Devices are not lowered here (devices_cgroup.c).  Fails
   on what cannot be expressed (realtime on v2, `unified` without a pure
   cgroup2 host, a bad unified key, swap without memory limit on v2...). */
int hr_cgroup_lower_resources (const oci_linux_resources *r, unsigned v2_mask, struct hr_cgroup_ops *out,
                               hr_err *err);

/* Pure conversions (runc's libcontainer/cgroups/utils.go). */
uint64_t hr_cgroup_shares_to_weight (uint64_t shares);
uint64_t hr_cgroup_blkio_to_io_weight (uint64_t weight);
/* v2 memory.swap.max from spec swap (memory+swap) and limit: sets *out
   (-1 "max", 0 "leave unset") and *disable (limit == swap: write "0"). */
int hr_cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, bool *disable, hr_err *err);

/* Which controllers of this container's cgroup are cgroup2 ones. */
unsigned hr_cgroup_v2_mask (const struct hr_cgroup *cg);

/* Write the lowered ops into the container's cgroup. */
int hr_cgroup_apply_ops (const struct hr_cgroup *cg, const struct hr_cgroup_ops *ops, hr_err *err);

/* Lower and apply r, and (r non-NULL) the device rules.  At create, right
   after hr_cgroup_create. */
int hr_cgroup_set_resources (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err);
/* Same without the device rules (update: runc leaves devices alone). */
int hr_cgroup_update_resources (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err);

#endif
