/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> cgroup files (cgroup_resources.c): the pure lowering
   for v1, v2 and hybrid masks, and runc's conversions.  No root. */
#include <config.h>
#include "tap.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_resources.h"
#include "cgroups/cgroups.h"
#include "hydra.h"
#include "oci.h"
#include "util.h"

#include <errno.h>
#include <math.h>

static oci_linux_resources *
res (const char *json)
{
  oci_linux_resources *r = NULL;
  hr_err err = NULL;
  if (oci_linux_resources_parse_data (json, strlen (json), NULL, &r, &err) < 0)
    {
      printf ("# parse: %s\n", err->msg);
      hr_error_free (&err);
      return NULL;
    }
  return r;
}

/* "ctrl:file=value;..." of a lowering (v2 entries marked "2:"), or the
   error text. */
static char *
lower (const char *json, unsigned mask)
{
  _cleanup_ (oci_linux_resources_freep) oci_linux_resources *r = res (json);
  struct hr_cgroup_ops ops = { 0 };
  hr_err err = NULL;
  char *out = xstrdup ("");

  if (r == NULL)
    return out;
  if (hr_cgroup_lower_resources (r, mask, &ops, &err) < 0)
    {
      free (out);
      out = xasprintf ("ERROR %s", err->msg);
      hr_error_free (&err);
      return out;
    }
  for (size_t i = 0; i < ops.len; i++)
    {
      char *n = xasprintf ("%s%s%s=%s", out, *out ? ";" : "", ops.ops[i].file, ops.ops[i].value);
      free (out);
      out = n;
    }
  hr_cgroup_ops_clear (&ops);
  return out;
}

#define LOWERS(json, mask, want, ...)                                                                              \
  do                                                                                                               \
    {                                                                                                              \
      char *_l = lower (json, mask);                                                                               \
      is_str (_l, want, __VA_ARGS__);                                                                              \
      free (_l);                                                                                                   \
    }                                                                                                              \
  while (0)

static void
test_conversions (void)
{
  is_int (hr_cgroup_shares_to_weight (0), 0, "shares 0 -> unset");
  is_int (hr_cgroup_shares_to_weight (2), 1, "shares 2 -> weight 1");
  is_int (hr_cgroup_shares_to_weight (1024), 100, "shares 1024 -> weight 100");
  is_int (hr_cgroup_shares_to_weight (262144), 10000, "shares 262144 -> weight 10000");
  is_int (hr_cgroup_shares_to_weight (512), 59, "shares 512 -> weight 59 (quadratic, not linear 50)");
  is_int (hr_cgroup_shares_to_weight (2048), 174, "shares 2048 -> weight 174");
  is_int (hr_cgroup_shares_to_weight (1u << 30), 10000, "shares above max -> 10000");
  {
    /* The runtime computes the curve without libm; libm is the reference
       here, for every shares value the curve covers. */
    uint64_t bad = 0, first_bad = 0;
    for (uint64_t sh = 3; sh < 262144; sh++)
      {
        double l = log2 ((double) sh);
        uint64_t want = (uint64_t) ceil (pow (10.0, (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0));
        if (hr_cgroup_shares_to_weight (sh) != want && bad++ == 0)
          first_bad = sh;
      }
    ok (bad == 0, "shares 3..262143: the same weight as libm's log2/pow/ceil (%llu differ, first %llu)",
        (unsigned long long) bad, (unsigned long long) first_bad);
  }
  is_int (hr_cgroup_blkio_to_io_weight (10), 1, "blkio 10 -> io 1");
  is_int (hr_cgroup_blkio_to_io_weight (1000), 10000, "blkio 1000 -> io 10000");
  is_int (hr_cgroup_blkio_to_io_weight (500), 4950, "blkio 500 -> io 4950");

  int64_t v;
  bool dis;
  hr_err err = NULL;
  ok (hr_cgroup_swap_to_v2 (0, -1, &v, &dis, &err) == 0 && v == -1, "memory -1, swap unset -> swap max");
  ok (hr_cgroup_swap_to_v2 (-1, 100, &v, &dis, &err) == 0 && v == -1, "swap -1 -> max");
  ok (hr_cgroup_swap_to_v2 (0, 100, &v, &dis, &err) == 0 && v == 0 && !dis, "swap 0 -> unset");
  ok (hr_cgroup_swap_to_v2 (300, 100, &v, &dis, &err) == 0 && v == 200, "swap 300, limit 100 -> 200");
  ok (hr_cgroup_swap_to_v2 (100, 100, &v, &dis, &err) == 0 && v == 0 && dis, "swap == limit -> swap disabled");
  ok (hr_cgroup_swap_to_v2 (50, 100, &v, &dis, &err) < 0, "swap below limit refused");
  is_str (err ? err->msg : NULL, "memory+swap limit should be >= memory limit", "swap below limit message");
  hr_error_free (&err);
  ok (hr_cgroup_swap_to_v2 (50, 0, &v, &dis, &err) < 0, "swap without limit refused");
  hr_error_free (&err);

  int64_t b;
  ok (hr_parse_ram_bytes ("100m", &b, &err) == 0 && b == 100LL << 20, "100m");
  ok (hr_parse_ram_bytes ("1g", &b, &err) == 0 && b == 1LL << 30, "1g");
  ok (hr_parse_ram_bytes ("1.5GiB", &b, &err) == 0 && b == 3LL << 29, "1.5GiB");
  ok (hr_parse_ram_bytes ("512 KB", &b, &err) == 0 && b == 512LL << 10, "512 KB");
  ok (hr_parse_ram_bytes ("4096", &b, &err) == 0 && b == 4096, "plain bytes");
  ok (hr_parse_ram_bytes ("10x", &b, &err) < 0, "bad unit refused");
  is_str (err ? err->msg : NULL, "invalid size: '10x'", "go-units message");
  hr_error_free (&err);
  ok (hr_parse_ram_bytes ("-5m", &b, &err) < 0, "negative refused");
  hr_error_free (&err);
}

static void
test_v1 (void)
{
  LOWERS ("{\"memory\":{\"limit\":1000,\"swap\":2000,\"reservation\":500,\"swappiness\":10,"
          "\"disableOOMKiller\":true}}",
          0,
          "memory.limit_in_bytes=1000;memory.memsw.limit_in_bytes=2000;memory.soft_limit_in_bytes=500;"
          "memory.swappiness=10;memory.oom_control=1",
          "v1 memory: limit before memsw, then the rest");
  LOWERS ("{\"memory\":{\"limit\":-1}}", 0, "memory.limit_in_bytes=-1;memory.memsw.limit_in_bytes=-1",
          "v1 memory -1 without swap: memsw unlimited too");
  LOWERS ("{\"memory\":{\"kernel\":1000,\"kernelTCP\":2000}}", 0, "memory.kmem.tcp.limit_in_bytes=2000",
          "v1 kernel ignored, kernelTCP kept");
  LOWERS ("{\"memory\":{\"swappiness\":101}}", 0,
          "ERROR invalid value:101. valid memory swappiness range is 0-100", "swappiness > 100 refused");
  LOWERS ("{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"burst\":1000,\"realtimeRuntime\":100,"
          "\"realtimePeriod\":1000,\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":0}}",
          0,
          "cpu.shares=512;cpu.cfs_period_us=100000;cpu.cfs_quota_us=50000;cpu.cfs_burst_us=1000;"
          "cpu.rt_period_us=1000;cpu.rt_runtime_us=100;cpu.idle=0;cpuset.cpus=0-1;cpuset.mems=0",
          "v1 cpu: period before quota, rt period before runtime, cpuset");
  LOWERS ("{\"cpu\":{\"quota\":-5}}", 0, "cpu.cfs_quota_us=-1", "v1 negative quota -> -1");
  LOWERS ("{\"pids\":{\"limit\":0}}", 0, "pids.max=max", "pids 0 -> max");
  LOWERS ("{\"pids\":{\"limit\":-1}}", 0, "pids.max=max", "pids -1 -> max");
  LOWERS ("{\"pids\":{\"limit\":42}}", 0, "pids.max=42", "pids 42");
  LOWERS ("{\"blockIO\":{\"weight\":300,\"leafWeight\":200,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":"
          "400,\"leafWeight\":50}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
          "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":100}]}}",
          0,
          "blkio.weight=300;blkio.leaf_weight=200;blkio.weight_device=8:0 400;blkio.leaf_weight_device=8:0 50;"
          "blkio.throttle.read_bps_device=8:0 1048576;blkio.throttle.write_iops_device=8:16 100",
          "v1 blkio");
  LOWERS ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", 0,
          "hugetlb.2MB.limit_in_bytes=4194304;hugetlb.2MB.rsvd.limit_in_bytes=4194304", "v1 hugetlb + rsvd");
  LOWERS ("{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}", 0,
          "net_cls.classid=1048577;net_prio.ifpriomap=eth0 5", "v1 network");
  LOWERS ("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}", 0,
          "rdma.max=mlx5_1 hca_handle=3 hca_object=10000", "rdma");
  LOWERS ("{\"unified\":{\"memory.high\":\"1000\"}}", 0,
          "ERROR invalid configuration: cannot use unified on cgroup v1", "unified refused on v1");
  LOWERS ("{\"unified\":{\"memory.high\":\"1000\"}}", HR_CG_ALL_V2 & ~HR_CG_UNIFIED,
          "ERROR invalid configuration: cannot use unified on cgroup v1", "unified refused on hybrid");
  LOWERS ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", 0, "", "devices are not lowered here");
}

static void
test_v2 (void)
{
  unsigned v2 = HR_CG_ALL_V2;
  LOWERS ("{\"memory\":{\"limit\":1000,\"swap\":3000,\"reservation\":500,\"swappiness\":10}}", v2,
          "memory.swap.max=2000;memory.max=1000;memory.low=500", "v2 memory: swap.max = swap - limit");
  LOWERS ("{\"memory\":{\"limit\":1000,\"swap\":1000}}", v2, "memory.swap.max=0;memory.max=1000",
          "v2 swap == limit disables swap");
  LOWERS ("{\"memory\":{\"limit\":-1}}", v2, "memory.swap.max=max;memory.max=max", "v2 -1 -> max");
  LOWERS ("{\"memory\":{\"limit\":1000,\"swap\":-1}}", v2, "memory.swap.max=max;memory.max=1000",
          "v2 swap -1 -> max");
  LOWERS ("{\"memory\":{\"swap\":1000}}", v2, "ERROR unable to set swap limit without memory limit",
          "v2 swap without limit refused");
  LOWERS ("{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":10}}", v2,
          "cpu.weight=100;cpu.max.burst=10;cpu.max=50000 100000", "v2 cpu: weight from shares, cpu.max");
  LOWERS ("{\"cpu\":{\"quota\":-1,\"period\":100000}}", v2, "cpu.max=max 100000", "v2 quota -1 -> max");
  LOWERS ("{\"cpu\":{\"period\":200000}}", v2, "cpu.max=max 200000", "v2 period only");
  LOWERS ("{\"cpu\":{\"quota\":20000}}", v2, "cpu.max=20000", "v2 quota only");
  LOWERS ("{\"cpu\":{\"idle\":1,\"shares\":1024}}", v2, "cpu.idle=1", "v2 idle: no weight");
  LOWERS ("{\"cpu\":{\"realtimeRuntime\":100}}", v2,
          "ERROR linux.resources.cpu.realtimeRuntime/realtimePeriod: realtime scheduling limits are not "
          "supported on cgroup v2",
          "v2 realtime refused");
  LOWERS ("{\"cpu\":{\"cpus\":\"1\",\"mems\":\"0\"}}", v2, "cpuset.cpus=1;cpuset.mems=0", "v2 cpuset");
  LOWERS ("{\"pids\":{\"limit\":10}}", v2, "pids.max=10", "v2 pids");
  LOWERS ("{\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1024}],"
          "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}]}}",
          v2, "io.bfq.weight=500;io.max=8:0 rbps=1024;io.max=8:0 wiops=max", "v2 io");
  LOWERS ("{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":0}]}", v2,
          "hugetlb.1GB.max=0;hugetlb.1GB.rsvd.max=0", "v2 hugetlb");
  LOWERS ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}", HR_CG_HUGETLB,
          "hugetlb.2MB.max=1;hugetlb.2MB.rsvd.max=1", "hybrid: hugetlb on the cgroup2 mount");
  LOWERS ("{\"network\":{\"classID\":1}}", v2, "", "v2 network ignored");
  LOWERS ("{\"pids\":{\"limit\":5},\"unified\":{\"pids.max\":\"7\",\"memory.high\":\"max\"}}", v2,
          "pids.max=5;pids.max=7;memory.high=max", "v2 unified keys written last");
  LOWERS ("{\"unified\":{\"../memory.max\":\"1\"}}", v2,
          "ERROR linux.resources.unified: key \"../memory.max\" must be a file name (no \"/\")", "unified: no '/'");
  LOWERS ("{\"unified\":{\"..\":\"1\"}}", v2,
          "ERROR linux.resources.unified: key \"..\" must be a file name (no \"/\")", "unified: no '..'");
  LOWERS ("{\"unified\":{\"cgroup.procs\":\"1\"}}", v2,
          "ERROR linux.resources.unified: \"cgroup.procs\" is not a controller file", "unified: no cgroup.procs");

  /* The op details the applier relies on. */
  _cleanup_ (oci_linux_resources_freep) oci_linux_resources *r
    = res ("{\"blockIO\":{\"weight\":500},\"memory\":{\"limit\":10,\"checkBeforeUpdate\":true}}");
  struct hr_cgroup_ops ops = { 0 };
  hr_err err = NULL;
  ok (r && hr_cgroup_lower_resources (r, v2, &ops, &err) == 0 && ops.len == 2, "lowered");
  if (ops.len == 2)
    {
      ok (ops.ops[0].flags & HR_CGW_CHECK_USAGE, "checkBeforeUpdate marks memory.max");
      ok (ops.ops[0].v2 && strcmp (ops.ops[0].controller, "memory") == 0, "memory.max goes to the v2 dir");
      is_str (ops.ops[1].alt_file, "io.weight", "io.weight when there is no io.bfq.weight");
      is_str (ops.ops[1].alt_value, "4950", "io.weight converted");
    }
  hr_cgroup_ops_clear (&ops);
}

/* spec's cgroup namespace: pure v2 only (runc 1.2+; runc 1.1 never). */
static void
test_ns_by_default (void)
{
  ok (hr_cgroup_ns_by_default (HR_CGROUP_UNIFIED), "cgroup namespace by default on cgroup v2");
  ok (!hr_cgroup_ns_by_default (HR_CGROUP_HYBRID), "none by default on hybrid");
  ok (!hr_cgroup_ns_by_default (HR_CGROUP_LEGACY), "none by default on v1");
}

/* cgroupsPath is cleaned as runc's utils.CleanPath does: ".." never
   climbs above the hierarchy root (absolute) or the runtime's cgroup
   (relative), and nothing with ".." reaches mkdir or state.json. */
static void
test_resolve_path (void)
{
  static const struct
  {
    const char *path, *own, *want;
  } cases[] = {
    { "/a/../b", "/", "/b" },
    { "/../../x", "/user.slice", "/x" },
    { "/a/./b//c/", "/", "/a/b/c" },
    { "../../etc", "/user.slice", "/user.slice/etc" },
    { "a/../../b", "/run", "/run/b" },
    { "x/y", "/", "/x/y" },
    { NULL, "/own", "/own/ctr" },
    { "", "/", "/ctr" },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      char *got = hr_cgroup_resolve_path (cases[i].path, "ctr", cases[i].own);
      is_str (got, cases[i].want, "cgroupsPath `%s` from `%s`", cases[i].path ? cases[i].path : "(none)", cases[i].own);
      free (got);
    }
  static const char *const refused[] = { "/", "/..", ".", "a/..", "//./", "../" };
  for (size_t i = 0; i < sizeof (refused) / sizeof (refused[0]); i++)
    {
      hr_err err = NULL;
      ok (hr_cgroup_check_path (refused[i], &err) < 0 && err && strstr (err->msg, "not one of the container's"),
          "cgroupsPath `%s` refused: no cgroup of its own", refused[i]);
      hr_error_free (&err);
    }
  ok (hr_cgroup_check_path ("/a/../b", NULL) == 0 && hr_cgroup_check_path (NULL, NULL) == 0, "others accepted");
}

/* rootless: which failures leave a hierarchy out, and the v1 lists a
   limit's controller is looked up in. */
static void
test_rootless (void)
{
  ok (hr_cgroup_rootless_ignorable (EACCES) && hr_cgroup_rootless_ignorable (EPERM)
          && hr_cgroup_rootless_ignorable (EROFS),
      "rootless: EACCES, EPERM, EROFS leave a hierarchy out (runc's isIgnorableError)");
  ok (!hr_cgroup_rootless_ignorable (ENOENT) && !hr_cgroup_rootless_ignorable (ENOSPC)
          && !hr_cgroup_rootless_ignorable (EBUSY) && !hr_cgroup_rootless_ignorable (0),
      "rootless: other failures stay errors");
  ok (hr_cgroup_controllers_have ("cpu,cpuacct", "cpu") && hr_cgroup_controllers_have ("cpu,cpuacct", "cpuacct")
          && hr_cgroup_controllers_have ("memory", "memory") && hr_cgroup_controllers_have ("name=systemd", "name=systemd"),
      "controller lists: each name of a v1 hierarchy matches");
  ok (!hr_cgroup_controllers_have ("cpuset", "cpu") && !hr_cgroup_controllers_have ("cpu,cpuacct", "cpuac")
          && !hr_cgroup_controllers_have ("cpu,cpuacct", "cpu,cpuacct") && !hr_cgroup_controllers_have ("", "cpu")
          && !hr_cgroup_controllers_have ("memory", ""),
      "controller lists: no prefix, no substring, no empty name");
}

/* The driver table (cgroup_driver.h): the one selection, every operation
   present, and the state.json round trip each driver owns. */
static void
test_driver (void)
{
  const struct hr_cgroup_driver *fs = hr_cgroup_driver_select (false), *sd = hr_cgroup_driver_select (true);
  ok (fs == &hr_cgroup_driver_fs && strcmp (fs->name, "cgroupfs") == 0, "no --systemd-cgroup: cgroupfs");
  ok (sd == &hr_cgroup_driver_systemd && strcmp (sd->name, "systemd") == 0, "--systemd-cgroup: systemd");
  const struct hr_cgroup_driver *all[] = { fs, sd };
  for (size_t i = 0; i < 2; i++)
    {
      const struct hr_cgroup_driver *d = all[i];
      ok (d->available && d->places_after_clone && d->check && d->prepare && d->clone_into && d->place_init
              && d->place && d->sub && d->set_resources && d->update_resources && d->freeze && d->frozen && d->stats
              && d->memory_dir && d->procs && d->destroy && d->to_state && d->from_state,
          "%s: every operation implemented", d->name);
    }
  ok (sd->places_after_clone (), "systemd places the init after clone (its cgroup namespace comes late)");
  ok (!hr_cgroup_made (NULL), "no handle: no cgroup made");
  /* A systemd handle on pure v2 before its unit runs has no directory:
     asking for one (clone_into does) must answer "none", not search the
     unified hierarchy for ever (the VM lane's systemd boot hung there). */
  struct hr_cgroup none = { .layout = HR_CGROUP_UNIFIED, .driver = sd };
  ok (hr_cgroup_dir_of (&none, "") == NULL && hr_cgroup_dir_of (&none, "unified") == NULL
          && hr_cgroup_dir_of (&none, "memory") == NULL,
      "v2, no directory yet: no directory for any controller");
  is_int (sd->clone_into (&none), -1, "v2, no directory yet: not cloned into a cgroup");

  /* cgroupfs: the paths go to state.json and come back with the driver. */
  hr_state_file st = { 0 };
  struct hr_cgroup_dir dirs[] = { { (char *) "memory", (char *) HR_CGROUP_ROOT "/memory/x/c", false },
                                  { (char *) "unified", (char *) HR_CGROUP_ROOT "/unified/x/c", false } };
  struct hr_cgroup cg = { .layout = HR_CGROUP_HYBRID, .dirs = dirs, .len = 2, .driver = fs };
  ok (hr_cgroup_made (&cg), "a handle with directories is made");
  fs->to_state (&cg, &st);
  is_int (st.cgroup_paths.len, 2, "cgroupfs: both hierarchies recorded");
  ok (st.systemd_unit == NULL, "cgroupfs: no unit recorded");
  struct hr_cgroup *back = NULL;
  hr_err err = NULL;
  ok (fs->from_state (&st, &back, &err) == 0 && back && back->driver == fs && back->len == 2
          && strcmp (back->dirs[1].dir, HR_CGROUP_ROOT "/unified/x/c") == 0,
      "cgroupfs: rebuilt from state.json, with its driver");
  bool v2 = true;
  is_str (back ? back->driver->memory_dir (back, &v2) : NULL, HR_CGROUP_ROOT "/memory/x/c",
          "memory cgroup: the v1 hierarchy's directory, found through the driver");
  ok (!v2 || (back && back->layout == HR_CGROUP_UNIFIED), "memory cgroup: v1 files unless the host is unified");
  hr_cgroup_free (back);
  back = NULL;

  /* systemd: the unit is recorded only once systemd took it. */
  struct hr_cgroup *p = NULL;
  ok (sd->prepare ("machine.slice:eng:ctr", "ctr", false, &p, &err) == 0 && p && p->driver == sd && !hr_cgroup_made (p),
      "systemd prepare: no directory before the unit starts");
  is_str (p ? p->unit : NULL, "eng-ctr.scope", "systemd prepare: the unit name from cgroupsPath");
  is_str (p ? p->slice : NULL, "machine.slice", "systemd prepare: the parent slice");
  hr_state_file st2 = { 0 };
  if (p)
    sd->to_state (p, &st2);
  ok (st2.systemd_unit == NULL && st2.cgroup_paths.len == 0, "systemd: a unit not started is not recorded");
  if (p)
    {
      p->unit_started = true;
      sd->to_state (p, &st2);
    }
  is_str (st2.systemd_unit, "eng-ctr.scope", "systemd: a started unit is recorded");
  hr_cgroup_free (p);
  ok (sd->prepare ("bad", "ctr", false, &p, &err) < 0 && err, "systemd prepare: a cgroupsPath not slice:prefix:name refused");
  hr_error_free (&err);

  st.systemd_unit = xstrdup ("eng-ctr.scope");
  ok (sd->from_state (&st, &back, &err) == 0 && back && back->driver == sd && back->unit_started
          && strcmp (back->unit, "eng-ctr.scope") == 0 && back->len == 2,
      "systemd: rebuilt from state.json with its unit (delete stops it)");
  hr_cgroup_free (back);
  hr_state_file empty = { 0 };
  back = (struct hr_cgroup *) &cg;
  ok (fs->from_state (&empty, &back, &err) == 0 && back == NULL, "no cgroup recorded: no handle");
  free (st.systemd_unit);
  st.systemd_unit = NULL;
  for (size_t i = 0; i < st.cgroup_paths.len; i++)
    {
      free (st.cgroup_paths.keys[i]);
      free (st.cgroup_paths.values[i]);
    }
  free (st.cgroup_paths.keys);
  free (st.cgroup_paths.values);
  free (st2.systemd_unit);
}

int
main (void)
{
  test_ns_by_default ();
  test_resolve_path ();
  test_conversions ();
  test_v1 ();
  test_v2 ();
  test_driver ();
  test_rootless ();
  return tap_done ();
}
