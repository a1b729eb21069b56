/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events: the container's cgroup statistics in runc's JSON shape
 * (runc types/events.go, runc 1.1: {"type":"stats","id":..,"data":Stats}),
 * read from v1 files (memory.*, cpuacct.*, cpu.stat, cpuset.*, pids.*,
 * blkio.*, hugetlb.*) or v2 files (memory.current/max/stat/events,
 * cpu.stat, pids.*, io.stat, hugetlb.*), and a stream of them with OOM
 * events ({"type":"oom","id":..}).
 *
 * Go's encoding/json rules are kept: fields tagged omitempty are left out
 * when 0 (but nested structs, never "empty" for Go, are always present),
 * a nil slice is null.
 *
 * OOM kills are counted with the kernel's own counter (v2 memory.events
 * oom_kill; v1 memory.oom_control oom_kill), woken by inotify on
 * memory.events (v2) or an eventfd registered in cgroup.event_control for
 * memory.oom_control (v1).  The counter is read once more when the init
 * exits, so a kill that also ends the container is still reported.
 */
#include <config.h>
#include "hydra.h"
#include "cgroups.h"
#include "cleanup.h"
#include "json.h"
#include "lifecycle.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

/* --- reading cgroup files ------------------------------------------------ */

/* Contents of dir/file, or NULL when it cannot be read (missing controller
   or file: that part of the stats stays 0, as in runc). */
static char *
rd (const char *dir, const char *file)
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
  _cleanup_free_ char *s = rd (dir, file);
  uint64_t v = 0;

  if (s && !parse_u64 (s, &v))
    v = 0;
  return v;
}

/* Value of `key` in a flat keyed file ("key value" lines). */
static bool
kv_get (const char *text, const char *key, uint64_t *out)
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
  if (text == NULL || !kv_get (text, key, &v))
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
  _cleanup_free_ char *probe = rd (dir, bfq[0][1]);
  const char *const(*set)[2] = probe ? bfq : throttle;

  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *s = rd (dir, set[i][1]);
      json_value *a = blkio_entries (s);
      if (a)
        put (blk, set[i][0], a);
    }
}

static void
blkio_v2 (json_value *blk, const char *dir)
{
  _cleanup_free_ char *s = rd (dir, "io.stat");
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
          _cleanup_free_ char *cur = rd (dir, f);
          if (cur == NULL)
            {
              json_free (e);
              continue;
            }
          uint64_t u = 0;
          parse_u64 (cur, &u);
          snprintf (f, sizeof f, "hugetlb.%s.events", size);
          _cleanup_free_ char *ev = rd (dir, f);
          put_u64_ne (e, "usage", u);
          put_u64 (e, "failcnt", kv (ev, "max"));
        }
      else
        {
          snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
          _cleanup_free_ char *cur = rd (dir, f);
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
    _cleanup_free_ char *percpu = rd (cpuacct, "cpuacct.usage_percpu");
    _cleanup_free_ char *all = rd (cpuacct, "cpuacct.usage_all");
    _cleanup_free_ char *stat = rd (cpuacct, "cpuacct.stat");
    _cleanup_free_ char *cstat = rd (cpu, "cpu.stat");
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
    _cleanup_free_ char *cpus = rd (cpuset, "cpuset.cpus");
    _cleanup_free_ char *mems = rd (cpuset, "cpuset.mems");
    _cleanup_free_ char *relax = rd (cpuset, "cpuset.sched_relax_domain_level");
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
    _cleanup_free_ char *stat = rd (mem, "memory.stat");
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
  _cleanup_free_ char *cstat = rd (dir, "cpu.stat");
  _cleanup_free_ char *mstat = rd (dir, "memory.stat");
  _cleanup_free_ char *mev = rd (dir, "memory.events");

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

static json_value *
event (const char *type, const char *id, json_value *data)
{
  json_value *o = json_new_object ();
  put (o, "type", json_new_string (type));
  put (o, "id", json_new_string (id));
  if (data)
    put (o, "data", data);
  return o;
}

static int
emit_event (json_value *ev, hr_event_cb cb, void *cb_data, hr_err *err)
{
  _cleanup_ (json_freep) json_value *v = ev;
  _cleanup_free_ char *s = NULL;
  size_t len;

  if (json_emit (v, false, &s, &len, err) < 0)
    return -1;
  return cb (s, cb_data, err);
}

static json_value *
stats_data (const struct hr_cgroup *cg)
{
  json_value *d = cg->layout == HR_CGROUP_UNIFIED ? stats_v2 (cg) : stats_v1 (cg);
  put (d, "intel_rdt", json_new_object ());
  put (d, "network_interfaces", json_new_null ());
  return d;
}

/* --- the stream ---------------------------------------------------------- */

struct oom_watch
{
  const char *dir;  /* memory cgroup */
  bool v2;
  int fd;           /* inotify (v2) or eventfd (v1) */
  uint64_t count;   /* last oom_kill seen */
  bool counted;     /* the kernel has the counter */
};

static bool
oom_count (const struct oom_watch *w, uint64_t *out)
{
  _cleanup_free_ char *s = rd (w->dir, w->v2 ? "memory.events" : "memory.oom_control");
  return s && kv_get (s, "oom_kill", out);
}

static int
oom_watch_open (struct oom_watch *w, const struct hr_cgroup *cg, hr_err *err)
{
  w->fd = -1;
  w->v2 = cg->layout == HR_CGROUP_UNIFIED;
  w->dir = w->v2 ? hr_cgroup_dir_of (cg, "") : hr_cgroup_dir_of (cg, "memory");
  if (w->dir == NULL)
    return 0; /* no memory controller: no OOM events */
  w->counted = oom_count (w, &w->count);
  if (w->v2)
    {
      _cleanup_free_ char *path = xasprintf ("%s/memory.events", w->dir);
      w->fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (w->fd < 0)
        return hr_error_set (err, errno, "inotify_init1");
      if (inotify_add_watch (w->fd, path, IN_MODIFY) < 0)
        return hr_error_set (err, errno, "watch %s", path);
      return 0;
    }
  _cleanup_close_ int ofd = -1;
  _cleanup_free_ char *path = xasprintf ("%s/memory.oom_control", w->dir);
  char buf[64];
  ofd = open (path, O_RDONLY | O_CLOEXEC);
  if (ofd < 0)
    return hr_error_set (err, errno, "open %s", path);
  w->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    return hr_error_set (err, errno, "eventfd");
  snprintf (buf, sizeof buf, "%d %d", w->fd, ofd);
  /* The kernel keeps its own reference to memory.oom_control. */
  return hr_cgroup_write (w->dir, "cgroup.event_control", buf, err);
}

/* After a wake-up (or at the end): how many OOM events to report. */
static unsigned
oom_check (struct oom_watch *w, bool woken)
{
  uint64_t now;

  if (w->fd >= 0 && woken)
    {
      char buf[4096];
      while (read (w->fd, buf, sizeof buf) > 0)
        ;
    }
  /* v1 signals the eventfd when the cgroup goes under OOM, before the
     killer has counted its kill: the wake-up itself is the event (as in
     runc), unless the cgroup is gone (the eventfd also fires then). */
  if (!w->v2 && woken)
    {
      if (!oom_count (w, &now))
        {
          _cleanup_free_ char *s = rd (w->dir, "memory.oom_control");
          return s != NULL;
        }
      w->count = now > w->count + 1 ? now : w->count + 1;
      return 1;
    }
  if (w->counted && oom_count (w, &now))
    {
      unsigned n = now > w->count ? 1 : 0; /* one event per wake-up, as runc */
      w->count = now;
      return n;
    }
  /* No counter (v1 before 4.13): every eventfd notification is one. */
  return (!w->counted && woken && !w->v2) ? 1 : 0;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int
hr_container_events (struct hr_context *ctx, const char *id, bool stats_only, unsigned interval_ms,
                     hr_event_cb cb, void *cb_data, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  _cleanup_close_ int pidfd = -1;
  struct oom_watch w = { .fd = -1 };
  struct hr_container c;
  int ret = -1;

  if (hr_container_load (ctx, id, false, &c, err) < 0)
    return -1;
  if (strcmp (c.status, "stopped") == 0)
    {
      hr_error_plain (err, ESRCH, "container with id %s is not running", id);
      goto out;
    }
  if (hr_container_cgroup (&c, &cg, err) < 0)
    goto out;
  if (cg == NULL)
    {
      hr_error_plain (err, ENOTSUP, "container has no cgroup");
      goto out;
    }
  if (stats_only)
    {
      ret = emit_event (event ("stats", id, stats_data (cg)), cb, cb_data, err);
      goto out;
    }

  pidfd = pidfd_open (c.pid, 0);
  if (pidfd < 0 || (c.state->init_start_time_present && hr_proc_start_time (c.pid, NULL) != c.state->init_start_time))
    {
      hr_error_plain (err, ESRCH, "container with id %s is not running", id);
      goto out;
    }
  if (oom_watch_open (&w, cg, err) < 0)
    goto out;
  /* Nothing below needs the state dir: don't hold its lock while
     streaming (delete must not wait for us). */
  hr_container_release (&c);

  long long next = now_ms () + interval_ms;
  for (;;)
    {
      struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = w.fd, .events = POLLIN } };
      long long wait = next - now_ms ();
      int r = poll (p, w.fd >= 0 ? 2 : 1, wait < 0 ? 0 : (int) (wait > INT32_MAX ? INT32_MAX : wait));
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          hr_error_set (err, errno, "poll");
          goto done;
        }
      if (w.fd >= 0 && (p[1].revents & POLLIN) && oom_check (&w, true))
        if (emit_event (event ("oom", id, NULL), cb, cb_data, err) < 0)
          goto done;
      if (p[0].revents & (POLLIN | POLLHUP))
        {
          /* The init is gone.  An OOM kill that ended it may not have
             woken us yet: read the counter once more. */
          if (w.dir && oom_check (&w, false))
            if (emit_event (event ("oom", id, NULL), cb, cb_data, err) < 0)
              goto done;
          ret = 0;
          goto done;
        }
      if (now_ms () >= next)
        {
          if (emit_event (event ("stats", id, stats_data (cg)), cb, cb_data, err) < 0)
            goto done;
          next += interval_ms;
          if (next < now_ms ())
            next = now_ms () + interval_ms;
        }
    }
done:
  if (w.fd >= 0)
    close (w.fd);
  return ret;

out:
  if (w.fd >= 0)
    close (w.fd);
  hr_container_release (&c);
  return ret;
}
