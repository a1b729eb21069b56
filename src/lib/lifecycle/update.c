/* SPDX-License-Identifier: Apache-2.0 */
/*
 * update: change a live container's cgroup limits (runc update).
 *
 * The new values come from a linux.resources document (--resources FILE,
 * or "-" for stdin, as containerd and CRI-O call it) or from runc's flags.
 * They are merged into the config stored at create time, the merged
 * resources are written to the cgroup, and the merged config is stored
 * again, so a later update (or restore) starts from them.
 *
 * Merging follows runc's reading of an update: for the numeric memory, cpu,
 * pids and blkio weight values, 0 means "unchanged" (runc initialises its
 * update document with zeros); any other present value replaces the stored
 * one.  Device rules are not updated (runc ignores them too).
 */
#include <config.h>
#include "hydra.h"
#include "cgroups/cgroup_resources.h"
#include "cgroups/cgroup_driver.h"
#include "cleanup.h"
#include "lifecycle/lifecycle.h"
#include "log.h"
#include "state/state.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
hr_parse_ram_bytes (const char *s, int64_t *out, hr_err *err)
{
  /* docker/go-units RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$,
     binary multiples. */
  const char *p = s, *num_end;
  uint64_t mul = 1;

  if (!isdigit ((unsigned char) *p))
    goto bad;
  while (isdigit ((unsigned char) *p))
    p++;
  while (*p == '.' && isdigit ((unsigned char) p[1]))
    {
      p++;
      while (isdigit ((unsigned char) *p))
        p++;
    }
  num_end = p;
  if (*p == ' ')
    p++;
  switch (*p)
    {
    case 'k': case 'K': mul = 1ULL << 10; p++; break;
    case 'm': case 'M': mul = 1ULL << 20; p++; break;
    case 'g': case 'G': mul = 1ULL << 30; p++; break;
    case 't': case 'T': mul = 1ULL << 40; p++; break;
    case 'p': case 'P': mul = 1ULL << 50; p++; break;
    default: break;
    }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0')
    goto bad;
  {
    _cleanup_free_ char *num = strndup (s, (size_t) (num_end - s));
    char *end;
    errno = 0;
    double v = strtod (num, &end);
    if (num == NULL || *end != '\0' || errno == ERANGE)
      goto bad; /* "1.2.3": Go's ParseFloat fails too */
    v *= (double) mul;
    if (v >= 9223372036854775807.0)
      goto bad;
    *out = (int64_t) v;
    return 0;
  }
bad:
  return hr_error_plain (err, EINVAL, "invalid size: '%s'", s);
}

/* ---- from the command line ------------------------------------------------ */

static int
flag_u64 (const char *name, const char *val, bool *present, uint64_t *dest, hr_err *err)
{
  char *end;
  if (val == NULL || *val == '\0')
    return 0;
  errno = 0;
  if (!isdigit ((unsigned char) *val) || (*dest = strtoull (val, &end, 10), errno) || *end)
    return hr_error_plain (err, EINVAL, "invalid value for %s: strconv.ParseUint: parsing \"%s\": %s", name, val,
                           errno == ERANGE ? "value out of range" : "invalid syntax");
  *present = true;
  return 0;
}

static int
flag_i64 (const char *name, const char *val, bool *present, int64_t *dest, hr_err *err)
{
  char *end;
  if (val == NULL || *val == '\0')
    return 0;
  errno = 0;
  long long v = strtoll (val, &end, 10);
  if (errno || *end || isspace ((unsigned char) *val))
    return hr_error_plain (err, EINVAL, "invalid value for %s: strconv.ParseInt: parsing \"%s\": %s", name, val,
                           errno == ERANGE ? "value out of range" : "invalid syntax");
  *dest = v;
  *present = true;
  return 0;
}

static int
flag_mem (const char *name, const char *val, bool *present, int64_t *dest, hr_err *err)
{
  if (val == NULL || *val == '\0')
    return 0;
  if (strcmp (val, "-1") == 0)
    *dest = -1;
  else if (hr_parse_ram_bytes (val, dest, err) < 0)
    return hr_error_wrap (err, "invalid value for %s", name);
  *present = true;
  return 0;
}

static int
resources_from_flags (const struct hr_update_opts *o, oci_linux_resources *r, hr_err *err)
{
  oci_linux_memory *m = r->memory = xmalloc0 (sizeof (*m));
  oci_linux_cpu *c = r->cpu = xmalloc0 (sizeof (*c));

  if (o->blkio_weight != 0)
    {
      if (o->blkio_weight < 0 || o->blkio_weight > UINT16_MAX)
        return hr_error_plain (err, EINVAL, "invalid value for blkio-weight: %d", o->blkio_weight);
      r->block_io = xmalloc0 (sizeof (*r->block_io));
      r->block_io->weight = (uint16_t) o->blkio_weight;
      r->block_io->weight_present = true;
    }
  if (o->cpuset_cpus && *o->cpuset_cpus)
    c->cpus = xstrdup (o->cpuset_cpus);
  if (o->cpuset_mems && *o->cpuset_mems)
    c->mems = xstrdup (o->cpuset_mems);
  if (flag_u64 ("cpu-period", o->cpu_period, &c->period_present, &c->period, err) < 0
      || flag_u64 ("cpu-rt-period", o->cpu_rt_period, &c->realtime_period_present, &c->realtime_period, err) < 0
      || flag_u64 ("cpu-share", o->cpu_share, &c->shares_present, &c->shares, err) < 0
      || flag_i64 ("cpu-quota", o->cpu_quota, &c->quota_present, &c->quota, err) < 0
      || flag_i64 ("cpu-rt-runtime", o->cpu_rt_runtime, &c->realtime_runtime_present, &c->realtime_runtime, err) < 0
      || flag_mem ("memory", o->memory, &m->limit_present, &m->limit, err) < 0
      || flag_mem ("memory-swap", o->memory_swap, &m->swap_present, &m->swap, err) < 0
      || flag_mem ("kernel-memory", o->kernel_memory, &m->kernel_present, &m->kernel, err) < 0
      || flag_mem ("kernel-memory-tcp", o->kernel_memory_tcp, &m->kernel_tcp_present, &m->kernel_tcp, err) < 0
      || flag_mem ("memory-reservation", o->memory_reservation, &m->reservation_present, &m->reservation, err) < 0)
    return -1;
  if (o->pids_limit != 0)
    {
      r->pids = xmalloc0 (sizeof (*r->pids));
      r->pids->limit = o->pids_limit;
      r->pids->limit_present = true;
    }
  return 0;
}

static int
read_resources (const char *in, oci_linux_resources **out, hr_err *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;

  if (strcmp (in, "-") != 0)
    return oci_linux_resources_parse_file (in, out, err);
  if (hr_read_all (STDIN_FILENO, OCI_MAX_DOCUMENT_SIZE, &data, &len, err) < 0)
    return hr_error_wrap (err, "read resources from stdin");
  return oci_linux_resources_parse_data (data, len, "resources (stdin)", out, err);
}

/* ---- merging into the stored config --------------------------------------- */

#define TAKE_NZ(b, d, f)                                                                                           \
  do                                                                                                               \
    if ((d)->f##_present && (d)->f != 0)                                                                           \
      {                                                                                                            \
        (b)->f = (d)->f;                                                                                           \
        (b)->f##_present = true;                                                                                   \
      }                                                                                                            \
  while (0)
#define TAKE(b, d, f)                                                                                              \
  do                                                                                                               \
    if ((d)->f##_present)                                                                                          \
      {                                                                                                            \
        (b)->f = (d)->f;                                                                                           \
        (b)->f##_present = true;                                                                                   \
      }                                                                                                            \
  while (0)
/* Move an object array from d to b when the update has it. */
#define MOVE_V(b, d, f, T)                                                                                         \
  do                                                                                                               \
    if ((d)->f)                                                                                                    \
      {                                                                                                            \
        for (size_t i_ = 0; i_ < (b)->f##_len; i_++)                                                               \
          T##_free ((b)->f[i_]);                                                                                   \
        free ((b)->f);                                                                                             \
        (b)->f = (d)->f;                                                                                           \
        (b)->f##_len = (d)->f##_len;                                                                               \
        (d)->f = NULL;                                                                                             \
        (d)->f##_len = 0;                                                                                          \
      }                                                                                                            \
  while (0)

static void
merge_memory (oci_linux_memory *b, const oci_linux_memory *d)
{
  TAKE_NZ (b, d, limit);
  TAKE_NZ (b, d, reservation);
  TAKE_NZ (b, d, swap);
  TAKE_NZ (b, d, kernel);
  TAKE_NZ (b, d, kernel_tcp);
  TAKE (b, d, swappiness);
  TAKE (b, d, disable_oom_killer);
  TAKE (b, d, use_hierarchy);
  TAKE (b, d, check_before_update);
  /* Unlimited memory without a swap value: unlimited swap too (runc),
     rather than an old memsw below the new limit. */
  if (d->limit_present && d->limit == -1 && (!d->swap_present || d->swap == 0))
    {
      b->swap = -1;
      b->swap_present = true;
    }
}

static void
merge_cpu (oci_linux_cpu *b, oci_linux_cpu *d)
{
  TAKE_NZ (b, d, shares);
  TAKE_NZ (b, d, quota);
  TAKE_NZ (b, d, period);
  TAKE_NZ (b, d, realtime_runtime);
  TAKE_NZ (b, d, realtime_period);
  TAKE (b, d, burst);
  TAKE (b, d, idle);
  if (d->cpus && *d->cpus)
    {
      free (b->cpus);
      b->cpus = TAKE_PTR (d->cpus);
    }
  if (d->mems && *d->mems)
    {
      free (b->mems);
      b->mems = TAKE_PTR (d->mems);
    }
}

static void
merge_hugetlb (oci_linux_resources *b, oci_linux_resources *d)
{
  for (size_t i = 0; i < d->hugepage_limits_len; i++)
    {
      oci_linux_hugepage_limit *h = d->hugepage_limits[i];
      size_t j;
      for (j = 0; j < b->hugepage_limits_len; j++)
        if (strcmp (b->hugepage_limits[j]->page_size, h->page_size) == 0)
          break;
      if (j == b->hugepage_limits_len)
        {
          b->hugepage_limits = xrealloc (b->hugepage_limits, (j + 2) * sizeof (*b->hugepage_limits));
          b->hugepage_limits[j] = NULL;
          b->hugepage_limits[++b->hugepage_limits_len] = NULL;
        }
      oci_linux_hugepage_limit_free (b->hugepage_limits[j]);
      b->hugepage_limits[j] = h;
      d->hugepage_limits[i] = NULL;
    }
}

/* Merge the update d into the stored resources b (d is consumed). */
static void
merge_resources (oci_linux_resources *b, oci_linux_resources *d)
{
  if (d->memory)
    {
      if (b->memory == NULL)
        b->memory = xmalloc0 (sizeof (*b->memory));
      merge_memory (b->memory, d->memory);
    }
  if (d->cpu)
    {
      if (b->cpu == NULL)
        b->cpu = xmalloc0 (sizeof (*b->cpu));
      merge_cpu (b->cpu, d->cpu);
    }
  if (d->pids && d->pids->limit != 0)
    {
      oci_linux_pids_free (b->pids);
      b->pids = TAKE_PTR (d->pids);
    }
  if (d->block_io)
    {
      if (b->block_io == NULL)
        b->block_io = xmalloc0 (sizeof (*b->block_io));
      TAKE_NZ (b->block_io, d->block_io, weight);
      TAKE_NZ (b->block_io, d->block_io, leaf_weight);
      MOVE_V (b->block_io, d->block_io, weight_device, oci_linux_weight_device);
      MOVE_V (b->block_io, d->block_io, throttle_read_bps_device, oci_linux_throttle_device);
      MOVE_V (b->block_io, d->block_io, throttle_write_bps_device, oci_linux_throttle_device);
      MOVE_V (b->block_io, d->block_io, throttle_read_iops_device, oci_linux_throttle_device);
      MOVE_V (b->block_io, d->block_io, throttle_write_iops_device, oci_linux_throttle_device);
    }
  merge_hugetlb (b, d);
  if (d->network)
    {
      oci_linux_network_free (b->network);
      b->network = TAKE_PTR (d->network);
    }
  if (d->rdma.len)
    {
      oci_linux_rdma_map old = b->rdma;
      b->rdma = d->rdma;
      memset (&d->rdma, 0, sizeof (d->rdma));
      /* the old map goes with d */
      d->rdma = old;
    }
  for (size_t i = 0; i < d->unified.len; i++)
    oci_string_map_set (&b->unified, d->unified.keys[i], d->unified.values[i]);
  if (d->devices_len)
    hr_debug ("update: linux.resources.devices is ignored (device rules are not updated)");
}

int
hr_container_update (struct hr_context *ctx, const char *id, const struct hr_update_opts *opts, hr_err *err)
{
  _cleanup_ (oci_linux_resources_freep) oci_linux_resources *d = NULL;
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  struct hr_container c;
  int ret = -1;

  /* Intel RDT is not supported: refuse, with runc's words for a host
     without it. */
  if (opts->l3_cache_schema && *opts->l3_cache_schema)
    return hr_error_plain (err, ENOTSUP, "Intel RDT/CAT: l3 cache schema is not enabled");
  if (opts->mem_bw_schema && *opts->mem_bw_schema)
    return hr_error_plain (err, ENOTSUP, "Intel RDT/MBA: memory bandwidth schema is not enabled");
  /* Everything is read and checked before the container is touched. */
  if (opts->resources && *opts->resources)
    {
      if (read_resources (opts->resources, &d, err) < 0)
        return -1;
    }
  else
    {
      d = xmalloc0 (sizeof (*d));
      if (resources_from_flags (opts, d, err) < 0)
        return -1;
    }

  if (hr_container_load (ctx, id, HR_STATE_LOCK_EX, &c, err) < 0)
    return -1;
  if (strcmp (c.status, "stopped") == 0)
    {
      hr_error_plain (err, ESRCH, "container not running");
      goto out;
    }
  if (hr_state_load_config (c.dirfd, &cfg, err) < 0)
    goto out;
  if (hr_container_cgroup (&c, &cg, err) < 0)
    goto out;
  if (cg == NULL)
    {
      hr_error_plain (err, ENOTSUP, "container has no cgroup to update");
      goto out;
    }
  if (cfg->linux_ == NULL)
    cfg->linux_ = xmalloc0 (sizeof (*cfg->linux_));
  if (cfg->linux_->resources == NULL)
    cfg->linux_->resources = xmalloc0 (sizeof (*cfg->linux_->resources));
  merge_resources (cfg->linux_->resources, d);
  /* The new config.json is written (staged) before the cgroup changes and
     only renamed into place after: a full or read-only state root fails
     the update with the limits untouched, instead of leaving the kernel
     and config.json disagreeing.  (runc 1.1 applies, then saves.) */
  if (hr_state_stage_config (c.dirfd, cfg, err) < 0)
    goto out;
  if (cg->driver->update_resources (cg, cfg->linux_->resources, err) < 0)
    {
      hr_state_unstage_file (c.dirfd, HR_CONFIG_FILE);
      goto out;
    }
  if (hr_state_commit_file (c.dirfd, HR_CONFIG_FILE, err) < 0)
    goto out;
  ret = 0;
out:
  hr_container_release (&c);
  return ret;
}
