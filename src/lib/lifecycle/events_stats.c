/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events --stats`: the container's cgroup statistics in runc's JSON shape
 * (runc types/events.go, runc 1.1), read from v1 files (memory.*,
 * cpuacct.*, cpu.stat, cpuset.*, pids.*, blkio.*, hugetlb.*) or v2 files
 * (memory.current/max/stat/events, cpu.stat, pids.*, io.stat, hugetlb.*).
 *
 * Go's encoding/json rules are kept: fields tagged omitempty are left out
 * when 0 (but nested structs, never "empty" for Go, are always present),
 * a nil slice is null.
 */
#include <config.h>
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "lifecycle/events.h"
#include "json.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- reading cgroup files ------------------------------------------------ */

/* Contents of dir/file, or NULL when it cannot be read (missing controller
   or file: that part of the stats stays 0, as in runc). */
char *
hr_cgroup_read_opt (const char *dir, const char *file)
{
  char *s = NULL;
  hr_err e = NULL;

  if (dir == NULL || hr_cgroup_read (dir, file, &s, &e) < 0)
    {
      hr_error_free (&e);
      return NULL;
    }
  return s;
}

/* "max" is v2's unlimited. */
static bool
parse_u64 (const char *s, uint64_t *out)
{
  char *end;

  while (*s == ' ' || *s == '\t')
    s++;
  if (strncmp (s, "max", 3) == 0)
    {
      *out = UINT64_MAX;
      return true;
    }
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno || end == s || *s == '-')
    return false;
  *out = v;
  return true;
}

static uint64_t
rd_u64 (const char *dir, const char *file)
{
  _cleanup_free_ char *s = hr_cgroup_read_opt (dir, file);
  uint64_t v = 0;

  if (s && !parse_u64 (s, &v))
    v = 0;
  return v;
}

/* Value of `key` in a flat keyed file ("key value" lines). */
bool
hr_cgroup_kv_get (const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen (key);

  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, kl) == 0 && l[kl] == ' ')
      return parse_u64 (l + kl + 1, out);
  return false;
}

static uint64_t
kv (const char *text, const char *key)
{
  uint64_t v = 0;
  if (text == NULL || !hr_cgroup_kv_get (text, key, &v))
    return 0;
  return v;
}

/* --- JSON ---------------------------------------------------------------- */

static void
put (json_value *o, const char *k, json_value *v)
{
  json_object_append (o, k, strlen (k), v);
}

static json_value *
num_u64 (uint64_t v)
{
  char b[32];
  int n = snprintf (b, sizeof b, "%" PRIu64, v);
  return json_new_number_raw (b, n);
}

static json_value *
num_i64 (int64_t v)
{
  char b[32];
  int n = snprintf (b, sizeof b, "%" PRId64, v);
  return json_new_number_raw (b, n);
}

static void
put_u64 (json_value *o, const char *k, uint64_t v)
{
  put (o, k, num_u64 (v));
}

/* omitempty */
static void
put_u64_ne (json_value *o, const char *k, uint64_t v)
{
  if (v)
    put_u64 (o, k, v);
}

static json_value *
obj_put (json_value *o, const char *k)
{
  json_value *n = json_new_object ();
  put (o, k, n);
  return n;
}

/* A whitespace separated list of numbers, as a JSON array (NULL when
   empty: omitempty). */
static json_value *
u64_list (const char *s)
{
  json_value *a = NULL;
  char *end;

  if (s == NULL)
    return NULL;
  for (;;)
    {
      while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
      if (*s == '\0')
        break;
      unsigned long long v = strtoull (s, &end, 10);
      if (end == s)
        break;
      if (a == NULL)
        a = json_new_array ();
      json_array_append (a, num_u64 (v));
      s = end;
    }
  return a;
}

/* "0-3,8" -> [0,1,2,3,8] */
static json_value *
cpu_list (const char *s)
{
  json_value *a = NULL;
  char *end;

  if (s == NULL)
    return NULL;
  while (*s && *s != '\n')
    {
      unsigned long lo = strtoul (s, &end, 10), hi;
      if (end == s)
        break;
      hi = lo;
      s = end;
      if (*s == '-')
        {
          hi = strtoul (s + 1, &end, 10);
          s = end;
        }
      for (unsigned long i = lo; i <= hi && i < 65536; i++)
        {
          if (a == NULL)
            a = json_new_array ();
          json_array_append (a, num_u64 (i));
        }
      if (*s == ',')
        s++;
    }
  return a;
}

/* Every "key value" of a flat keyed file, as an object. */
static json_value *
raw_map (const char *text)
{
  json_value *o = json_new_object ();

  for (const char *l = text; l && *l;)
    {
      const char *nl = strchr (l, '\n'), *sp = strchr (l, ' ');
      uint64_t v;
      if (nl == NULL)
        nl = l + strlen (l);
      if (sp && sp < nl && parse_u64 (sp + 1, &v))
        json_object_append (o, l, sp - l, num_u64 (v));
      l = *nl ? nl + 1 : nl;
    }
  return o;
}

/* --- the stats ----------------------------------------------------------- */

/* MemoryEntry: limit and failcnt always, usage and max omitempty. */
static void
mem_entry (json_value *mem, const char *name, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
  json_value *e = obj_put (mem, name);
  put_u64 (e, "limit", limit);
  put_u64_ne (e, "usage", usage);
  put_u64_ne (e, "max", max);
  put_u64 (e, "failcnt", failcnt);
}

static void
mem_entry_v1 (json_value *mem, const char *name, const char *dir, const char *prefix)
{
  char f[4][96];
  snprintf (f[0], sizeof f[0], "%s.limit_in_bytes", prefix);
  snprintf (f[1], sizeof f[1], "%s.usage_in_bytes", prefix);
  snprintf (f[2], sizeof f[2], "%s.max_usage_in_bytes", prefix);
  snprintf (f[3], sizeof f[3], "%s.failcnt", prefix);
  mem_entry (mem, name, rd_u64 (dir, f[0]), rd_u64 (dir, f[1]), rd_u64 (dir, f[2]), rd_u64 (dir, f[3]));
}

static json_value *
blkio_entries (const char *text)
{
  json_value *a = NULL;

  /* "8:0 Read 4096" lines; "Total 4096" is skipped, as runc does. */
  for (const char *l = text; l && *l;)
    {
      const char *nl = strchr (l, '\n');
      unsigned maj, min;
      char op[32];
      unsigned long long v;
      if (nl == NULL)
        nl = l + strlen (l);
      if (sscanf (l, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
        {
          json_value *e = json_new_object ();
          put_u64_ne (e, "major", maj);
          put_u64_ne (e, "minor", min);
          put (e, "op", json_new_string (op));
          put_u64_ne (e, "value", v);
          if (a == NULL)
            a = json_new_array ();
          json_array_append (a, e);
        }
      l = *nl ? nl + 1 : nl;
    }
  return a;
}

static void
blkio_v1 (json_value *blk, const char *dir)
{
  static const char *const bfq[][2] = {
    { "ioServiceBytesRecursive", "blkio.bfq.io_service_bytes_recursive" },
    { "ioServicedRecursive", "blkio.bfq.io_serviced_recursive" },
  };
  static const char *const throttle[][2] = {
    { "ioServiceBytesRecursive", "blkio.throttle.io_service_bytes_recursive" },
    { "ioServicedRecursive", "blkio.throttle.io_serviced_recursive" },
  };
  _cleanup_free_ char *probe = hr_cgroup_read_opt (dir, bfq[0][1]);
  const char *const(*set)[2] = probe ? bfq : throttle;

  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *s = hr_cgroup_read_opt (dir, set[i][1]);
      json_value *a = blkio_entries (s);
      if (a)
        put (blk, set[i][0], a);
    }
}

static void
blkio_v2 (json_value *blk, const char *dir)
{
  _cleanup_free_ char *s = hr_cgroup_read_opt (dir, "io.stat");
  json_value *bytes = NULL, *ios = NULL;

  /* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
  for (const char *l = s; l && *l;)
    {
      const char *nl = strchr (l, '\n');
      unsigned maj, min;
      int n = 0;
      if (nl == NULL)
        nl = l + strlen (l);
      if (sscanf (l, "%u:%u%n", &maj, &min, &n) == 2)
        {
          _cleanup_free_ char *line = strndup (l + n, nl - l - n);
          char *save = NULL;
          for (char *t = strtok_r (line, " ", &save); t; t = strtok_r (NULL, " ", &save))
            {
              char *eq = strchr (t, '=');
              json_value **tbl;
              const char *op;
              uint64_t v;
              if (eq == NULL || !parse_u64 (eq + 1, &v))
                continue;
              *eq = '\0';
              if (strcmp (t, "rbytes") == 0)
                tbl = &bytes, op = "Read";
              else if (strcmp (t, "wbytes") == 0)
                tbl = &bytes, op = "Write";
              else if (strcmp (t, "rios") == 0)
                tbl = &ios, op = "Read";
              else if (strcmp (t, "wios") == 0)
                tbl = &ios, op = "Write";
              else
                continue;
              json_value *e = json_new_object ();
              put_u64_ne (e, "major", maj);
              put_u64_ne (e, "minor", min);
              put (e, "op", json_new_string (op));
              put_u64_ne (e, "value", v);
              if (*tbl == NULL)
                *tbl = json_new_array ();
              json_array_append (*tbl, e);
            }
        }
      l = *nl ? nl + 1 : nl;
    }
  if (bytes)
    put (blk, "ioServiceBytesRecursive", bytes);
  if (ios)
    put (blk, "ioServicedRecursive", ios);
}

/* Page sizes as the kernel names them in hugetlb.<size>.* : "2MB", "1GB". */
static void
hugetlb (json_value *h, const char *dir, bool v2)
{
  _cleanup_closedir_ DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;

  if (d == NULL || dir == NULL)
    return;
  while ((de = readdir (d)))
    {
      unsigned long kb;
      char size[32], f[96];
      if (sscanf (de->d_name, "hugepages-%lukB", &kb) != 1)
        continue;
      if (kb >= 1024 * 1024)
        snprintf (size, sizeof size, "%luGB", kb / (1024 * 1024));
      else if (kb >= 1024)
        snprintf (size, sizeof size, "%luMB", kb / 1024);
      else
        snprintf (size, sizeof size, "%luKB", kb);
      json_value *e = json_new_object ();
      if (v2)
        {
          snprintf (f, sizeof f, "hugetlb.%s.current", size);
          _cleanup_free_ char *cur = hr_cgroup_read_opt (dir, f);
          if (cur == NULL)
            {
              json_free (e);
              continue;
            }
          uint64_t u = 0;
          parse_u64 (cur, &u);
          snprintf (f, sizeof f, "hugetlb.%s.events", size);
          _cleanup_free_ char *ev = hr_cgroup_read_opt (dir, f);
          put_u64_ne (e, "usage", u);
          put_u64 (e, "failcnt", kv (ev, "max"));
        }
      else
        {
          snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
          _cleanup_free_ char *cur = hr_cgroup_read_opt (dir, f);
          if (cur == NULL)
            {
              json_free (e);
              continue;
            }
          uint64_t u = 0;
          parse_u64 (cur, &u);
          put_u64_ne (e, "usage", u);
          snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
          put_u64_ne (e, "max", rd_u64 (dir, f));
          snprintf (f, sizeof f, "hugetlb.%s.failcnt", size);
          put_u64 (e, "failcnt", rd_u64 (dir, f));
        }
      put (h, size, e);
    }
}

static json_value *
stats_v1 (const struct hr_cgroup *cg)
{
  json_value *data = json_new_object ();
  const char *cpuacct = hr_cgroup_dir_of (cg, "cpuacct"), *cpu = hr_cgroup_dir_of (cg, "cpu");
  const char *mem = hr_cgroup_dir_of (cg, "memory"), *cpuset = hr_cgroup_dir_of (cg, "cpuset");

  /* cpu */
  json_value *c = obj_put (data, "cpu"), *u = json_new_object (), *t = json_new_object ();
  {
    _cleanup_free_ char *percpu = hr_cgroup_read_opt (cpuacct, "cpuacct.usage_percpu");
    _cleanup_free_ char *all = hr_cgroup_read_opt (cpuacct, "cpuacct.usage_all");
    _cleanup_free_ char *stat = hr_cgroup_read_opt (cpuacct, "cpuacct.stat");
    _cleanup_free_ char *cstat = hr_cgroup_read_opt (cpu, "cpu.stat");
    long hz = sysconf (_SC_CLK_TCK);
    json_value *a;

    put_u64_ne (u, "total", rd_u64 (cpuacct, "cpuacct.usage"));
    if ((a = u64_list (percpu)))
      put (u, "percpu", a);
    /* usage_all: "cpu user system" then one row per cpu. */
    if (all)
      {
        json_value *pk = NULL, *pu = NULL;
        const char *l = strchr (all, '\n');
        while (l && *++l)
          {
            unsigned long long n, us, sy;
            if (sscanf (l, "%llu %llu %llu", &n, &us, &sy) != 3)
              break;
            if (pk == NULL)
              pk = json_new_array (), pu = json_new_array ();
            json_array_append (pk, num_u64 (sy));
            json_array_append (pu, num_u64 (us));
            l = strchr (l, '\n');
          }
        if (pk)
          {
            put (u, "percpu_kernel", pk);
            put (u, "percpu_user", pu);
          }
      }
    if (hz <= 0)
      hz = 100;
    /* cpuacct.stat is in USER_HZ ticks; runc reports nanoseconds. */
    put_u64 (u, "kernel", kv (stat, "system") * (1000000000ULL / hz));
    put_u64 (u, "user", kv (stat, "user") * (1000000000ULL / hz));
    put_u64_ne (t, "periods", kv (cstat, "nr_periods"));
    put_u64_ne (t, "throttledPeriods", kv (cstat, "nr_throttled"));
    put_u64_ne (t, "throttledTime", kv (cstat, "throttled_time"));
  }
  put (c, "usage", u);
  put (c, "throttling", t);

  /* cpuset */
  {
    json_value *cs = obj_put (data, "cpuset"), *a;
    _cleanup_free_ char *cpus = hr_cgroup_read_opt (cpuset, "cpuset.cpus");
    _cleanup_free_ char *mems = hr_cgroup_read_opt (cpuset, "cpuset.mems");
    _cleanup_free_ char *relax = hr_cgroup_read_opt (cpuset, "cpuset.sched_relax_domain_level");
    if ((a = cpu_list (cpus)))
      put (cs, "cpus", a);
    put_u64 (cs, "cpu_exclusive", rd_u64 (cpuset, "cpuset.cpu_exclusive"));
    if ((a = cpu_list (mems)))
      put (cs, "mems", a);
    put_u64 (cs, "mem_hardwall", rd_u64 (cpuset, "cpuset.mem_hardwall"));
    put_u64 (cs, "mem_exclusive", rd_u64 (cpuset, "cpuset.mem_exclusive"));
    put_u64 (cs, "memory_migrate", rd_u64 (cpuset, "cpuset.memory_migrate"));
    put_u64 (cs, "memory_spread_page", rd_u64 (cpuset, "cpuset.memory_spread_page"));
    put_u64 (cs, "memory_spread_slab", rd_u64 (cpuset, "cpuset.memory_spread_slab"));
    put_u64 (cs, "memory_pressure", rd_u64 (cpuset, "cpuset.memory_pressure"));
    put_u64 (cs, "sched_load_balance", rd_u64 (cpuset, "cpuset.sched_load_balance"));
    put (cs, "sched_relax_domain_level", num_i64 (relax ? strtoll (relax, NULL, 10) : 0));
  }

  /* memory */
  {
    json_value *m = obj_put (data, "memory");
    _cleanup_free_ char *stat = hr_cgroup_read_opt (mem, "memory.stat");
    put_u64_ne (m, "cache", kv (stat, "cache"));
    mem_entry_v1 (m, "usage", mem, "memory");
    mem_entry_v1 (m, "swap", mem, "memory.memsw");
    mem_entry_v1 (m, "kernel", mem, "memory.kmem");
    mem_entry_v1 (m, "kernelTCP", mem, "memory.kmem.tcp");
    if (stat)
      put (m, "raw", raw_map (stat));
  }

  /* pids */
  {
    json_value *p = obj_put (data, "pids");
    const char *pd = hr_cgroup_dir_of (cg, "pids");
    uint64_t lim = rd_u64 (pd, "pids.max");
    put_u64_ne (p, "current", rd_u64 (pd, "pids.current"));
    put_u64_ne (p, "limit", lim == UINT64_MAX ? 0 : lim);
  }

  blkio_v1 (obj_put (data, "blkio"), hr_cgroup_dir_of (cg, "blkio"));

  /* hugetlb: a v1 hierarchy, or (hybrid hosts where it is only on the
     unified mount) the cgroup2 directory. */
  {
    json_value *h = obj_put (data, "hugetlb");
    const char *hd = hr_cgroup_dir_of (cg, "hugetlb");
    if (hd)
      hugetlb (h, hd, false);
    else
      hugetlb (h, hr_cgroup_dir_of (cg, ""), true);
  }
  return data;
}

static json_value *
stats_v2 (const struct hr_cgroup *cg)
{
  json_value *data = json_new_object ();
  const char *dir = hr_cgroup_dir_of (cg, "");
  _cleanup_free_ char *cstat = hr_cgroup_read_opt (dir, "cpu.stat");
  _cleanup_free_ char *mstat = hr_cgroup_read_opt (dir, "memory.stat");
  _cleanup_free_ char *mev = hr_cgroup_read_opt (dir, "memory.events");

  json_value *c = obj_put (data, "cpu"), *u = obj_put (c, "usage"), *t = obj_put (c, "throttling");
  put_u64_ne (u, "total", kv (cstat, "usage_usec") * 1000);
  put_u64 (u, "kernel", kv (cstat, "system_usec") * 1000);
  put_u64 (u, "user", kv (cstat, "user_usec") * 1000);
  put_u64_ne (t, "periods", kv (cstat, "nr_periods"));
  put_u64_ne (t, "throttledPeriods", kv (cstat, "nr_throttled"));
  put_u64_ne (t, "throttledTime", kv (cstat, "throttled_usec") * 1000);

  /* cpuset: runc 1.1 reads none on v2; the zero struct. */
  {
    json_value *cs = obj_put (data, "cpuset");
    static const char *const z[] = { "cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
                                     "memory_spread_page", "memory_spread_slab", "memory_pressure",
                                     "sched_load_balance", "sched_relax_domain_level" };
    for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
      put_u64 (cs, z[i], 0);
  }

  {
    json_value *m = obj_put (data, "memory");
    uint64_t usage = rd_u64 (dir, "memory.current"), limit = rd_u64 (dir, "memory.max");
    uint64_t swap = rd_u64 (dir, "memory.swap.current"), swap_limit = rd_u64 (dir, "memory.swap.max");
    put_u64_ne (m, "cache", kv (mstat, "file"));
    mem_entry (m, "usage", limit, usage, rd_u64 (dir, "memory.peak"), kv (mev, "max"));
    /* v1 reports swap as memory+swap; runc does the same on v2. */
    mem_entry (m, "swap", swap_limit == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : swap_limit + limit,
               swap + usage, 0, 0);
    mem_entry (m, "kernel", 0, 0, 0, 0);
    mem_entry (m, "kernelTCP", 0, 0, 0, 0);
    if (mstat)
      put (m, "raw", raw_map (mstat));
  }

  {
    json_value *p = obj_put (data, "pids");
    uint64_t lim = rd_u64 (dir, "pids.max");
    put_u64_ne (p, "current", rd_u64 (dir, "pids.current"));
    put_u64_ne (p, "limit", lim == UINT64_MAX ? 0 : lim);
  }

  blkio_v2 (obj_put (data, "blkio"), dir);
  hugetlb (obj_put (data, "hugetlb"), dir, true);
  return data;
}

json_value *
hr_cgroup_stats_json (const struct hr_cgroup *cg)
{
  json_value *d = cg->layout == HR_CGROUP_UNIFIED ? stats_v2 (cg) : stats_v1 (cg);
  put (d, "intel_rdt", json_new_object ());
  put (d, "network_interfaces", json_new_null ());
  return d;
}

