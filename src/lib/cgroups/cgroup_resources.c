/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> cgroup files: pure lowering (v1 and v2) and the
   applier.  See cgroup_resources.h. */
#include <config.h>
#include "cgroups/cgroup_resources.h"
#include "cleanup.h"
#include "cgroups/devices_cgroup.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- conversions -------------------------------------------------------- */

/* The natural logarithm and e^y for the one conversion below, in plain
   double arithmetic: linking libm for it cost every run of the runtime a
   library to map and relocate (about 300 KiB of resident pages).  Both are
   exact to a few ulps on the small ranges used here; the unit test checks
   the conversion against libm for every possible shares value. */
static double
ln_small (double x)
{
  /* x = m * 2^k with m in [1, 2); ln m = 2 atanh t, t = (m-1)/(m+1) <= 1/3. */
  const double ln2 = 0.69314718055994530942;
  int k = 0;
  while (x >= 2.0)
    {
      x /= 2.0;
      k++;
    }
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, term = t, sum = 0.0;
  for (int n = 1; n < 60; n += 2)
    {
      sum += term / n;
      term *= t2;
    }
  return k * ln2 + 2.0 * sum;
}

static double
exp_small (double y)
{
  /* y = n ln2 + r with |r| <= ln2 / 2; Taylor series for e^r. */
  const double ln2 = 0.69314718055994530942;
  int n = (int) (y / ln2 + (y >= 0 ? 0.5 : -0.5));
  double r = y - n * ln2, term = 1.0, sum = 1.0;
  for (int i = 1; i < 30; i++)
    {
      term *= r / i;
      sum += term;
    }
  for (; n > 0; n--)
    sum *= 2.0;
  for (; n < 0; n++)
    sum /= 2.0;
  return sum;
}

uint64_t
hr_cgroup_shares_to_weight (uint64_t shares)
{
  /* runc 1.3 / crun: a quadratic in log2(shares) through (2, 1),
     (1024, 100) and (262144, 10000), rounded up; 0 means unset. */
  const double ln2 = 0.69314718055994530942, ln10 = 2.30258509299404568402;
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  double l = ln_small ((double) shares) / ln2;
  double e = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
  double w = exp_small (e * ln10);
  /* Round up, but a value within rounding error of a whole number is that
     number (shares 1024 is weight 100 exactly, as libm's pow gives it). */
  uint64_t near = (uint64_t) (w + 0.5);
  if (w - (double) near < 1e-12 * w && (double) near - w < 1e-12 * w)
    return near;
  uint64_t up = (uint64_t) w;
  return (double) up < w ? up + 1 : up;
}

uint64_t
hr_cgroup_blkio_to_io_weight (uint64_t weight)
{
  /* blkio 10..1000 -> io 1..10000 (runc's ConvertBlkIOToIOWeightValue). */
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

int
hr_cgroup_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, bool *disable, hr_err *err)
{
  /* runc's ConvertMemorySwapToCgroupV2Value. */
  *disable = false;
  if (limit == -1 && swap == 0)
    {
      *out = -1; /* unlimited memory, swap not given: both unlimited */
      return 0;
    }
  if (swap == -1 || swap == 0)
    {
      *out = swap;
      return 0;
    }
  if (limit == 0 || limit == -1)
    return hr_error_plain (err, EINVAL, "unable to set swap limit without memory limit");
  if (limit < 0)
    return hr_error_plain (err, EINVAL, "invalid memory value: %" PRId64, limit);
  if (swap < limit)
    return hr_error_plain (err, EINVAL, "memory+swap limit should be >= memory limit");
  *out = swap - limit;
  *disable = *out == 0;
  return 0;
}

/* ---- the op list ---------------------------------------------------------- */

void
hr_cgroup_ops_clear (struct hr_cgroup_ops *ops)
{
  for (size_t i = 0; i < ops->len; i++)
    {
      free (ops->ops[i].file);
      free (ops->ops[i].value);
      free (ops->ops[i].alt_file);
      free (ops->ops[i].alt_value);
    }
  free (ops->ops);
  ops->ops = NULL;
  ops->len = 0;
}

/* Takes file and value (allocated). */
static struct hr_cgroup_write_op *
push (struct hr_cgroup_ops *o, const char *controller, bool v2, char *file, char *value)
{
  o->ops = xrealloc (o->ops, (o->len + 1) * sizeof (*o->ops));
  struct hr_cgroup_write_op *w = &o->ops[o->len++];
  memset (w, 0, sizeof (*w));
  w->controller = controller;
  w->v2 = v2;
  w->file = file;
  w->value = value;
  return w;
}

static struct hr_cgroup_write_op *
pushs (struct hr_cgroup_ops *o, const char *controller, bool v2, const char *file, const char *value)
{
  return push (o, controller, v2, xstrdup (file), xstrdup (value));
}

static char *
i64s (int64_t v)
{
  return xasprintf ("%" PRId64, v);
}

static char *
u64s (uint64_t v)
{
  return xasprintf ("%" PRIu64, v);
}

/* v2: -1 (and any negative) is "max". */
static char *
v2num (int64_t v)
{
  return v < 0 ? xstrdup ("max") : i64s (v);
}

/* ---- memory --------------------------------------------------------------- */

static int
lower_memory (const oci_linux_memory *m, bool v2, struct hr_cgroup_ops *o, hr_err *err)
{
  const char *c = "memory";
  int64_t limit = m->limit_present ? m->limit : 0;
  int64_t swap = m->swap_present ? m->swap : 0;
  struct hr_cgroup_write_op *w;

  if (m->kernel_present && m->kernel != 0)
    hr_debug ("linux.resources.memory.kernel is ignored (kernel memory accounting is not limited separately)");

  if (v2)
    {
      int64_t sw;
      bool disable;
      if (hr_cgroup_swap_to_v2 (swap, limit, &sw, &disable, err) < 0)
        return -1;
      if (sw != 0 || disable)
        {
          w = push (o, c, true, xstrdup ("memory.swap.max"), disable ? xstrdup ("0") : v2num (sw));
          /* A kernel without swap accounting has no memory.swap.max; runc
             then ignores swap too. */
          w->flags |= HR_CGW_OPTIONAL;
        }
      if (limit != 0)
        {
          w = push (o, c, true, xstrdup ("memory.max"), v2num (limit));
          if (m->check_before_update_present && m->check_before_update)
            w->flags |= HR_CGW_CHECK_USAGE;
        }
      if (m->reservation_present && m->reservation != 0)
        push (o, c, true, xstrdup ("memory.low"), v2num (m->reservation));
      if (m->swappiness_present)
        hr_debug ("linux.resources.memory.swappiness is ignored on cgroup v2 (no memory.swappiness)");
      if (m->disable_oom_killer_present && m->disable_oom_killer)
        hr_debug ("linux.resources.memory.disableOOMKiller is ignored on cgroup v2");
      return 0;
    }

  /* v1.  Unlimited memory and no swap given: swap unlimited too (runc). */
  if (limit == -1 && swap == 0)
    swap = -1;
  if (m->use_hierarchy_present && m->use_hierarchy)
    pushs (o, c, false, "memory.use_hierarchy", "1");
  /* Limit first, then memory+swap: lowering both works in this order;
     raising both fails the first write (limit above memsw, EINVAL), which
     the applier retries after memsw was raised. */
  if (limit != 0)
    {
      w = push (o, c, false, xstrdup ("memory.limit_in_bytes"), i64s (limit));
      if (m->check_before_update_present && m->check_before_update)
        w->flags |= HR_CGW_CHECK_USAGE;
    }
  if (swap != 0)
    {
      w = push (o, c, false, xstrdup ("memory.memsw.limit_in_bytes"), i64s (swap));
      /* No swap accounting (swapaccount=0): runc fails only when asked
         for a real limit; unlimited is what there is anyway. */
      if (swap == -1)
        w->flags |= HR_CGW_OPTIONAL;
    }
  if (m->reservation_present && m->reservation != 0)
    push (o, c, false, xstrdup ("memory.soft_limit_in_bytes"), i64s (m->reservation));
  if (m->kernel_tcp_present && m->kernel_tcp != 0)
    {
      /* Dropped by Linux 6.x's memcg v1 on some configs: skip if absent. */
      w = push (o, c, false, xstrdup ("memory.kmem.tcp.limit_in_bytes"), i64s (m->kernel_tcp));
      w->flags |= HR_CGW_OPTIONAL;
    }
  if (m->swappiness_present && (int64_t) m->swappiness != -1)
    {
      if (m->swappiness > 100)
        return hr_error_plain (err, EINVAL,
                               "invalid value:%" PRIu64 ". valid memory swappiness range is 0-100",
                               m->swappiness);
      push (o, c, false, xstrdup ("memory.swappiness"), u64s (m->swappiness));
    }
  if (m->disable_oom_killer_present && m->disable_oom_killer)
    pushs (o, c, false, "memory.oom_control", "1");
  return 0;
}

/* ---- cpu and cpuset ------------------------------------------------------- */

static int
lower_cpu (const oci_linux_cpu *p, bool v2, struct hr_cgroup_ops *o, hr_err *err)
{
  const char *c = "cpu";
  bool rt = (p->realtime_runtime_present && p->realtime_runtime != 0)
            || (p->realtime_period_present && p->realtime_period != 0);
  uint64_t period = p->period_present ? p->period : 0;
  int64_t quota = p->quota_present ? p->quota : 0;

  if (v2)
    {
      if (rt)
        return hr_error_plain (err, ENOTSUP,
                               "linux.resources.cpu.realtimeRuntime/realtimePeriod: realtime scheduling "
                               "limits are not supported on cgroup v2");
      if (p->idle_present)
        push (o, c, true, xstrdup ("cpu.idle"), i64s (p->idle));
      /* An idle cgroup has a fixed weight: writing cpu.weight would fail. */
      if ((!p->idle_present || p->idle == 0) && p->shares_present && p->shares != 0)
        push (o, c, true, xstrdup ("cpu.weight"), u64s (hr_cgroup_shares_to_weight (p->shares)));
      if (p->burst_present)
        push (o, c, true, xstrdup ("cpu.max.burst"), u64s (p->burst));
      if (quota != 0 || period != 0)
        {
          _cleanup_free_ char *q = quota > 0 ? i64s (quota) : xstrdup ("max");
          push (o, c, true, xstrdup ("cpu.max"), period ? xasprintf ("%s %" PRIu64, q, period) : xstrdup (q));
        }
      return 0;
    }

  if (p->shares_present && p->shares != 0)
    push (o, c, false, xstrdup ("cpu.shares"), u64s (p->shares));
  /* Period before quota (a quota is checked against the period); the
     applier retries whichever the kernel refused first. */
  if (period != 0)
    push (o, c, false, xstrdup ("cpu.cfs_period_us"), u64s (period));
  if (quota != 0)
    push (o, c, false, xstrdup ("cpu.cfs_quota_us"), i64s (quota < 0 ? -1 : quota));
  if (p->burst_present)
    push (o, c, false, xstrdup ("cpu.cfs_burst_us"), u64s (p->burst));
  if (p->realtime_period_present && p->realtime_period != 0)
    push (o, c, false, xstrdup ("cpu.rt_period_us"), u64s (p->realtime_period));
  if (p->realtime_runtime_present && p->realtime_runtime != 0)
    push (o, c, false, xstrdup ("cpu.rt_runtime_us"), i64s (p->realtime_runtime));
  if (p->idle_present)
    push (o, c, false, xstrdup ("cpu.idle"), i64s (p->idle));
  return 0;
}

static void
lower_cpuset (const oci_linux_cpu *p, bool v2, struct hr_cgroup_ops *o)
{
  if (p->cpus && *p->cpus)
    pushs (o, "cpuset", v2, "cpuset.cpus", p->cpus);
  if (p->mems && *p->mems)
    pushs (o, "cpuset", v2, "cpuset.mems", p->mems);
}

/* ---- block io ------------------------------------------------------------- */

static void
lower_throttle (oci_linux_throttle_device *const *d, size_t n, bool v2, const char *v1file, const char *v2key,
                struct hr_cgroup_ops *o)
{
  for (size_t i = 0; i < n; i++)
    {
      uint64_t rate = d[i]->rate_present ? d[i]->rate : 0;
      if (v2)
        push (o, "blkio", true, xstrdup ("io.max"),
              rate ? xasprintf ("%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i]->major, d[i]->minor, v2key, rate)
                   : xasprintf ("%" PRId64 ":%" PRId64 " %s=max", d[i]->major, d[i]->minor, v2key));
      else
        push (o, "blkio", false, xstrdup (v1file),
              xasprintf ("%" PRId64 ":%" PRId64 " %" PRIu64, d[i]->major, d[i]->minor, rate));
    }
}

static void
lower_blkio (const oci_linux_block_io *b, bool v2, struct hr_cgroup_ops *o)
{
  const char *c = "blkio";
  struct hr_cgroup_write_op *w;

  if (b->weight_present && b->weight != 0)
    {
      if (v2)
        {
          /* BFQ takes blkio's scale as is; otherwise io.weight, converted. */
          w = push (o, c, true, xstrdup ("io.bfq.weight"), u64s (b->weight));
          w->alt_file = xstrdup ("io.weight");
          w->alt_value = u64s (hr_cgroup_blkio_to_io_weight (b->weight));
        }
      else
        {
          w = push (o, c, false, xstrdup ("blkio.weight"), u64s (b->weight));
          w->alt_file = xstrdup ("blkio.bfq.weight");
          w->alt_value = u64s (b->weight);
        }
    }
  if (!v2 && b->leaf_weight_present && b->leaf_weight != 0)
    push (o, c, false, xstrdup ("blkio.leaf_weight"), u64s (b->leaf_weight));
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const oci_linux_weight_device *d = b->weight_device[i];
      if (d->weight_present)
        {
          w = push (o, c, v2, xstrdup (v2 ? "io.bfq.weight" : "blkio.weight_device"),
                    xasprintf ("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight));
          if (v2)
            w->flags |= HR_CGW_OPTIONAL; /* only BFQ has per-device weights */
          else
            {
              w->alt_file = xstrdup ("blkio.bfq.weight_device");
              w->alt_value = xstrdup (w->value);
            }
        }
      if (!v2 && d->leaf_weight_present)
        push (o, c, false, xstrdup ("blkio.leaf_weight_device"),
              xasprintf ("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->leaf_weight));
    }
  lower_throttle (b->throttle_read_bps_device, b->throttle_read_bps_device_len, v2,
                  "blkio.throttle.read_bps_device", "rbps", o);
  lower_throttle (b->throttle_write_bps_device, b->throttle_write_bps_device_len, v2,
                  "blkio.throttle.write_bps_device", "wbps", o);
  lower_throttle (b->throttle_read_iops_device, b->throttle_read_iops_device_len, v2,
                  "blkio.throttle.read_iops_device", "riops", o);
  lower_throttle (b->throttle_write_iops_device, b->throttle_write_iops_device_len, v2,
                  "blkio.throttle.write_iops_device", "wiops", o);
}

/* ---- the rest ------------------------------------------------------------- */

static void
lower_hugetlb (oci_linux_hugepage_limit *const *h, size_t n, bool v2, struct hr_cgroup_ops *o)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *size = h[i]->page_size;
      struct hr_cgroup_write_op *w;
      push (o, "hugetlb", v2, xasprintf (v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", size),
            u64s (h[i]->limit));
      /* Reservation accounting (Linux 5.7): set it too where it exists. */
      w = push (o, "hugetlb", v2, xasprintf (v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", size),
                u64s (h[i]->limit));
      w->flags |= HR_CGW_OPTIONAL;
    }
}

static int
lower_unified (const oci_string_map *u, unsigned mask, struct hr_cgroup_ops *o, hr_err *err)
{
  if (u->len == 0)
    return 0;
  if (!(mask & HR_CG_UNIFIED))
    return hr_error_plain (err, EINVAL, "invalid configuration: cannot use unified on cgroup v1");
  for (size_t i = 0; i < u->len; i++)
    {
      const char *k = u->keys[i];
      if (*k == '\0' || strchr (k, '/') || strcmp (k, ".") == 0 || strcmp (k, "..") == 0)
        return hr_error_plain (err, EINVAL, "linux.resources.unified: key \"%s\" must be a file name (no \"/\")", k);
      if (strchr (k, '.') == NULL || str_has_prefix (k, "cgroup."))
        {
          /* cgroup.procs, cgroup.subtree_control... would move processes or
             reshape the tree; only controller files are resources. */
          if (strcmp (k, "cgroup.max.depth") != 0 && strcmp (k, "cgroup.max.descendants") != 0)
            return hr_error_plain (err, EINVAL, "linux.resources.unified: \"%s\" is not a controller file", k);
        }
      pushs (o, "", true, k, u->values[i]);
    }
  return 0;
}

int
hr_cgroup_lower_resources (const oci_linux_resources *r, unsigned mask, struct hr_cgroup_ops *out, hr_err *err)
{
  struct hr_cgroup_ops o = { 0 };

  out->ops = NULL;
  out->len = 0;
  if (r == NULL)
    return 0;
  if (r->memory && lower_memory (r->memory, mask & HR_CG_MEMORY, &o, err) < 0)
    goto fail;
  if (r->cpu)
    {
      if (lower_cpu (r->cpu, mask & HR_CG_CPU, &o, err) < 0)
        goto fail;
      lower_cpuset (r->cpu, mask & HR_CG_CPUSET, &o);
    }
  /* pids: 0 and negative mean unlimited (runc treats 0 as max too). */
  if (r->pids)
    push (&o, "pids", mask & HR_CG_PIDS, xstrdup ("pids.max"),
          r->pids->limit > 0 ? i64s (r->pids->limit) : xstrdup ("max"));
  if (r->block_io)
    lower_blkio (r->block_io, mask & HR_CG_BLKIO, &o);
  lower_hugetlb (r->hugepage_limits, r->hugepage_limits_len, mask & HR_CG_HUGETLB, &o);
  if (r->network)
    {
      /* cgroup v2 has no net_cls/net_prio (eBPF does it): ignored, as runc. */
      if (r->network->class_id_present && !(mask & HR_CG_NET_CLS))
        push (&o, "net_cls", false, xstrdup ("net_cls.classid"), xasprintf ("%u", (unsigned) r->network->class_id));
      for (size_t i = 0; !(mask & HR_CG_NET_PRIO) && i < r->network->priorities_len; i++)
        push (&o, "net_prio", false, xstrdup ("net_prio.ifpriomap"),
              xasprintf ("%s %u", r->network->priorities[i]->name, (unsigned) r->network->priorities[i]->priority));
      if (mask & (HR_CG_NET_CLS | HR_CG_NET_PRIO))
        hr_debug ("linux.resources.network is ignored on cgroup v2");
    }
  for (size_t i = 0; i < r->rdma.len; i++)
    {
      const oci_linux_rdma *d = r->rdma.values[i];
      char *v = xstrdup (r->rdma.keys[i]), *t;
      if (d->hca_handles_present)
        {
          t = xasprintf ("%s hca_handle=%u", v, (unsigned) d->hca_handles);
          free (v);
          v = t;
        }
      if (d->hca_objects_present)
        {
          t = xasprintf ("%s hca_object=%u", v, (unsigned) d->hca_objects);
          free (v);
          v = t;
        }
      push (&o, "rdma", mask & HR_CG_RDMA, xstrdup ("rdma.max"), v);
    }
  /* Last: unified keys override what the fields above set (runc). */
  if (lower_unified (&r->unified, mask, &o, err) < 0)
    goto fail;
  *out = o;
  return 0;
fail:
  hr_cgroup_ops_clear (&o);
  return -1;
}

/* ---- applying ------------------------------------------------------------- */

static bool
in_list (const char *list, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = list; (p = strstr (p, name)); p += n)
    if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
      return true;
  return false;
}

unsigned
hr_cgroup_v2_mask (const struct hr_cgroup *cg)
{
  static const struct { unsigned bit; const char *v1, *v2; } map[] = {
    { HR_CG_MEMORY, "memory", "memory" }, { HR_CG_CPU, "cpu", "cpu" },       { HR_CG_CPUSET, "cpuset", "cpuset" },
    { HR_CG_PIDS, "pids", "pids" },       { HR_CG_BLKIO, "blkio", "io" },     { HR_CG_HUGETLB, "hugetlb", "hugetlb" },
    { HR_CG_RDMA, "rdma", "rdma" },
  };
  _cleanup_free_ char *ctrls = NULL;
  const char *u;
  unsigned mask = 0;
  hr_err e = NULL;

  if (cg->layout == HR_CGROUP_UNIFIED)
    return HR_CG_ALL_V2;
  if (cg->layout == HR_CGROUP_LEGACY || (u = hr_cgroup_dir_of (cg, "unified")) == NULL)
    return 0;
  /* Hybrid: a controller no v1 hierarchy has, but that the cgroup2 mount
     gives this cgroup, is used there. */
  if (hr_cgroup_read (u, "cgroup.controllers", &ctrls, &e) < 0)
    {
      hr_error_free (&e);
      return 0;
    }
  for (size_t i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    if (hr_cgroup_dir_of (cg, map[i].v1) == NULL && in_list (ctrls, map[i].v2))
      mask |= map[i].bit;
  return mask;
}

static int
check_usage (const char *dir, const struct hr_cgroup_write_op *w, hr_err *err)
{
  _cleanup_free_ char *cur = NULL;
  char *end;
  long long limit = strtoll (w->value, &end, 10);
  if (*end != '\0' || limit <= 0)
    return 0;
  if (hr_cgroup_read (dir, w->v2 ? "memory.current" : "memory.usage_in_bytes", &cur, err) < 0)
    return -1;
  unsigned long long usage = strtoull (cur, NULL, 10);
  if ((unsigned long long) limit < usage)
    return hr_error_plain (err, EBUSY, "rejecting memory limit %lld below usage %llu", limit, usage);
  return 0;
}

static bool
file_exists (const char *dir, const char *file)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  struct stat st;
  return lstat (p, &st) == 0;
}

/* 0 done (or skipped), -1 with *err. */
static int
apply_one (const struct hr_cgroup *cg, const struct hr_cgroup_write_op *w, hr_err *err)
{
  const char *dir = w->v2 ? hr_cgroup_dir_of (cg, "unified") : hr_cgroup_dir_of (cg, w->controller);
  const char *file = w->file, *value = w->value;

  if (dir == NULL)
    {
      if (w->flags & HR_CGW_OPTIONAL)
        return 0;
      /* A limit asked for on a controller the container has no cgroup in
         (not mounted, not enabled): refused, with runc's words. */
      return hr_error_plain (err, ENOENT, "cannot set %s limit: container could not join or create cgroup "
                             "(no %s controller for %s=%s)", w->controller, w->controller, w->file, w->value);
    }
  if (w->flags & HR_CGW_CHECK_USAGE && check_usage (dir, w, err) < 0)
    return -1;
  if (w->alt_file && !file_exists (dir, file))
    {
      file = w->alt_file;
      value = w->alt_value;
    }
  if ((w->flags & HR_CGW_OPTIONAL) && !file_exists (dir, file))
    {
      hr_debug ("cgroup: %s/%s does not exist, skipped", dir, file);
      return 0;
    }
  if (w->v2 && !file_exists (dir, file))
    {
      /* Name the missing controller: cgroup2 shows a controller's files
         only when the parent enables it. */
      _cleanup_free_ char *ctrl = xstrdup (file);
      char *dot = strchr (ctrl, '.');
      if (dot)
        *dot = '\0';
      return hr_error_plain (err, ENOENT, "cannot set %s to `%s`: %s/%s does not exist (controller %s not available "
                             "in the container's cgroup)", file, value, dir, file, ctrl);
    }
  return hr_cgroup_write (dir, file, value, err);
}

int
hr_cgroup_apply_ops (const struct hr_cgroup *cg, const struct hr_cgroup_ops *ops, hr_err *err)
{
  _cleanup_free_ bool *retry = xmalloc0 (ops->len + 1);
  size_t nretry = 0;

  for (size_t i = 0; i < ops->len; i++)
    {
      hr_err e = NULL;
      if (apply_one (cg, &ops->ops[i], &e) == 0)
        continue;
      int num = hr_error_errno (e);
      if (num == EINVAL || num == EBUSY)
        {
          /* Maybe valid only after a later write of the same controller
             (memory below memsw, quota vs period): once more at the end. */
          retry[i] = true;
          nretry++;
          hr_error_free (&e);
          continue;
        }
      *err = e;
      return -1;
    }
  for (size_t i = 0; nretry && i < ops->len; i++)
    if (retry[i] && apply_one (cg, &ops->ops[i], err) < 0)
      return -1;
  return 0;
}

static int
set_resources (const struct hr_cgroup *cg, const oci_linux_resources *r, bool devices, hr_err *err)
{
  struct hr_cgroup_ops ops = { 0 };
  int ret;

  /* No linux.resources still means the default device allowlist: the
     container gets deny-all plus runc's defaults, as with runc. */
  if (r == NULL && (!devices || cg->rootless))
    return 0;
  if (r == NULL)
    return hr_cgroup_set_devices (cg, NULL, 0, err);
  if (hr_cgroup_lower_resources (r, hr_cgroup_v2_mask (cg), &ops, err) < 0)
    return -1;
  if (hr_log_debug_enabled ())
    for (size_t i = 0; i < ops.len; i++)
      hr_debug ("cgroup: %s%s%s = %s", ops.ops[i].v2 ? "(v2) " : "", ops.ops[i].controller,
                *ops.ops[i].controller ? ": " : "", ops.ops[i].file);
  ret = hr_cgroup_apply_ops (cg, &ops, err);
  hr_cgroup_ops_clear (&ops);
  if (ret < 0)
    return -1;
  if (devices && hr_cgroup_set_devices (cg, r->devices, r->devices_len, err) < 0)
    {
      /* runc's fs and fs2 managers ignore the device rules' errors when
         rootless: an unprivileged user cannot attach a device program nor
         write devices.deny; the container's user namespace keeps it from
         opening host devices it was not given anyway. */
      if (!cg->rootless)
        return -1;
      hr_debug ("rootless: device rules not applied: %s", (*err)->msg);
      hr_error_free (err);
    }
  return 0;
}

int
hr_cgroup_set_resources (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err)
{
  return set_resources (cg, r, true, err);
}

int
hr_cgroup_update_resources (const struct hr_cgroup *cg, const oci_linux_resources *r, hr_err *err)
{
  return set_resources (cg, r, false, err);
}
