/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd cgroup driver: transient units over sd-bus (cgroup_systemd.h).
 * The properties follow runc's libcontainer/cgroups/systemd (docs/systemd.md
 * "Resource limits"): accounting on for every controller, then the limits
 * systemd has properties for.  Resources systemd cannot express are left to
 * the cgroupfs code, which writes into the same directory.
 */
#include <config.h>
#include "cgroups/cgroup_systemd.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_resources.h"
#include "lifecycle/events.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cgroups/sdbus.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE "/run/systemd/private"
/* systemd's USEC_INFINITY / CGROUP_LIMIT_MAX: "no limit". */
#define SD_INFINITY UINT64_MAX
/* A start or stop job may wait for systemd to realize the cgroup; under
   emulation (the VM lane) that takes seconds. */
#define JOB_TIMEOUT_USEC (90ULL * 1000000ULL)

/* sd_booted(3)'s own test, without loading libsystemd for it. */
bool
hr_systemd_booted (void)
{
  struct stat st;
  return lstat ("/run/systemd/system/", &st) == 0 && S_ISDIR (st.st_mode);
}

static bool
str_has_suffix (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

int
hr_systemd_unit_names (const char *cgroups_path, const char *id, char **slice_out, char **unit_out, hr_err *err)
{
  _cleanup_free_ char *def = NULL, *slice = NULL, *prefix = NULL;
  const char *p = cgroups_path, *c1, *c2, *name;

  /* runc's default is ":runc:<id>"; ours differs only in the prefix. */
  if (p == NULL || *p == '\0')
    p = def = xasprintf (":%s:%s", HR_SYSTEMD_DEFAULT_PREFIX, id);
  c1 = strchr (p, ':');
  c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c1 == NULL || c2 == NULL || strchr (c2 + 1, ':'))
    return hr_error_plain (err, EINVAL,
                           "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"%s\" "
                           "instead",
                           p);
  slice = strndup (p, (size_t) (c1 - p));
  prefix = strndup (c1 + 1, (size_t) (c2 - c1 - 1));
  if (slice == NULL || prefix == NULL)
    abort ();
  name = c2 + 1;
  if (*name == '\0' || strchr (name, '/') || strchr (prefix, '/'))
    return hr_error_plain (err, EINVAL, "cgroupsPath \"%s\": invalid unit name for systemd cgroups", p);
  if (*slice == '\0')
    {
      free (slice);
      slice = xstrdup ("system.slice");
    }
  else if (strcmp (slice, "-") == 0)
    {
      free (slice);
      slice = xstrdup ("-.slice");
    }
  else if (strchr (slice, '/') || !str_has_suffix (slice, ".slice"))
    return hr_error_plain (err, EINVAL,
                           "cgroupsPath \"%s\": invalid slice name \"%s\" (a systemd slice such as "
                           "user-1000.slice, without '/')",
                           p, slice);
  if (str_has_suffix (name, ".slice"))
    *unit_out = xstrdup (name);
  else if (*prefix)
    *unit_out = xasprintf ("%s-%s.scope", prefix, name);
  else
    *unit_out = xasprintf ("%s.scope", name);
  *slice_out = TAKE_PTR (slice);
  return 0;
}

int
hr_systemd_check (const char *cgroups_path, const char *id, char **slice, char **unit, hr_err *err)
{
  if (!hr_systemd_booted ())
    return hr_error_plain (err, ENOTSUP,
                           "--systemd-cgroup: systemd is not running as PID 1 on this host (no /run/systemd/system), "
                           "so it cannot create the container's cgroup; run without --systemd-cgroup to use cgroupfs");
  return hr_systemd_unit_names (cgroups_path, id, slice, unit, err);
}

/* ---- the bus ------------------------------------------------------------- */

/* As root, systemd's private socket first (as systemctl does): it works
   without a D-Bus daemon, and systemd sends its signals there directly.
   Otherwise the system bus; for a user, its own systemd manager on the
   session bus, as runc's rootless systemd manager (and Podman's rootless
   containers on cgroup v2) use: the system manager would give a user no
   unit it could use. */
static int
bus_open (sd_bus **out, bool *direct, hr_err *err)
{
  sd_bus *b = NULL;
  int r;

  if (hr_sdbus_load (err) < 0)
    return -1;
  if (geteuid () == 0 && access (SD_PRIVATE, F_OK) == 0)
    {
      r = sd_bus_new (&b);
      if (r >= 0)
        r = sd_bus_set_address (b, "unix:path=" SD_PRIVATE);
      if (r >= 0)
        r = sd_bus_start (b);
      if (r >= 0)
        {
          *out = b;
          *direct = true;
          return 0;
        }
      sd_bus_unref (b);
      b = NULL;
    }
  if (geteuid () != 0)
    {
      r = sd_bus_open_user (&b);
      if (r < 0)
        return hr_error_plain (err, -r,
                               "--systemd-cgroup: cannot connect to your systemd user manager (the D-Bus session bus "
                               "at $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus): %s",
                               strerror (-r));
      *out = b;
      *direct = false;
      return 0;
    }
  r = sd_bus_open_system (&b);
  if (r < 0)
    return hr_error_plain (err, -r, "--systemd-cgroup: cannot connect to systemd (%s, nor the D-Bus system bus): %s",
                           SD_PRIVATE, strerror (-r));
  *out = b;
  *direct = false;
  return 0;
}

static const char *
bus_msg (const sd_bus_error *e, int r)
{
  return e && e->message ? e->message : strerror (-r);
}

/* The last JobRemoved signal seen for one unit. */
struct job_wait
{
  const char *unit;
  char *job;
  char *result;
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  uint32_t id;
  const char *path, *unit, *result;

  (void) ret_error;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0 || strcmp (unit, w->unit) != 0)
    return 0;
  free (w->job);
  free (w->result);
  w->job = xstrdup (path);
  w->result = xstrdup (result);
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

/* Subscribe to JobRemoved before the call that makes the job (it may end
   before the call returns). */
static int
watch_jobs (sd_bus *bus, bool direct, struct job_wait *w, sd_bus_slot **slot, hr_err *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_bus_match_signal (bus, slot, direct ? NULL : SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed,
                               w);
  if (r < 0)
    return hr_error_plain (err, -r, "systemd: watch for JobRemoved: %s", strerror (-r));
  /* Needed on the system bus; harmless on the private socket. */
  (void) sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &e, NULL, NULL);
  sd_bus_error_free (&e);
  return 0;
}

/* Wait until systemd removes job (the object path the call returned). */
static int
wait_job (sd_bus *bus, struct job_wait *w, const char *job, const char *what, hr_err *err)
{
  uint64_t deadline = now_usec () + JOB_TIMEOUT_USEC;

  while (w->job == NULL || strcmp (w->job, job) != 0)
    {
      int r = sd_bus_process (bus, NULL);
      if (r < 0)
        return hr_error_plain (err, -r, "systemd: %s %s: lost the bus while waiting for its job: %s", what, w->unit,
                               strerror (-r));
      if (r > 0)
        continue;
      uint64_t now = now_usec ();
      if (now >= deadline)
        return hr_error_plain (err, ETIMEDOUT, "systemd: %s %s: its job did not finish within %llu s", what, w->unit,
                               (unsigned long long) (JOB_TIMEOUT_USEC / 1000000ULL));
      r = sd_bus_wait (bus, deadline - now);
      if (r < 0 && r != -EINTR)
        return hr_error_plain (err, -r, "systemd: %s %s: %s", what, w->unit, strerror (-r));
    }
  if (strcmp (w->result, "done") != 0)
    return hr_error_plain (err, EIO, "systemd: %s %s: job finished with result \"%s\"", what, w->unit, w->result);
  return 0;
}

/* ---- unit properties ----------------------------------------------------- */

static int
prop_t (sd_bus_message *m, const char *name, uint64_t v)
{
  return sd_bus_message_append (m, "(sv)", name, "t", v);
}

static int
prop_b (sd_bus_message *m, const char *name, bool v)
{
  return sd_bus_message_append (m, "(sv)", name, "b", (int) v);
}

/* A cpu or memory-node list ("0-3,7") as the byte mask AllowedCPUs=
   and AllowedMemoryNodes= take (bit n of byte n / 8). */
static int
list_to_mask (const char *list, uint8_t **mask, size_t *len)
{
  const char *s = list;
  *mask = NULL;
  *len = 0;
  while (*s)
    {
      char *end;
      unsigned long a = strtoul (s, &end, 10), b = a;
      if (end == s)
        return -1;
      if (*end == '-')
        {
          s = end + 1;
          b = strtoul (s, &end, 10);
          if (end == s)
            return -1;
        }
      if (a > b || b >= 65536)
        return -1;
      if (b / 8 + 1 > *len)
        {
          size_t n = b / 8 + 1;
          *mask = xrealloc (*mask, n);
          memset (*mask + *len, 0, n - *len);
          *len = n;
        }
      for (unsigned long i = a; i <= b; i++)
        (*mask)[i / 8] |= (uint8_t) (1u << (i % 8));
      s = end;
      if (*s == ',')
        s++;
      else if (*s)
        return -1;
    }
  return 0;
}

static int
prop_mask (sd_bus_message *m, const char *name, const char *list, const char *field, hr_err *err)
{
  _cleanup_free_ uint8_t *mask = NULL;
  size_t len;
  int r;

  if (list_to_mask (list, &mask, &len) < 0)
    return hr_error_plain (err, EINVAL, "config.json: .linux.resources.cpu.%s: invalid list \"%s\"", field, list);
  r = sd_bus_message_open_container (m, 'r', "sv");
  if (r >= 0)
    r = sd_bus_message_append (m, "s", name);
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'v', "ay");
  if (r >= 0)
    r = sd_bus_message_append_array (m, 'y', mask, len);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  return r < 0 ? hr_error_plain (err, -r, "systemd: property %s: %s", name, strerror (-r)) : 0;
}

/* runtime-spec resources -> unit properties (runc's table, for the
   controllers every systemd >= 247 has). */
static int
append_resources (sd_bus_message *m, const oci_linux_resources *res, bool v2, hr_err *err)
{
  int r = 0;

  if (res == NULL)
    return 0;
  if (res->memory)
    {
      const oci_linux_memory *mem = res->memory;
      if (mem->limit_present && (mem->limit > 0 || mem->limit == -1))
        r = prop_t (m, v2 ? "MemoryMax" : "MemoryLimit", mem->limit == -1 ? SD_INFINITY : (uint64_t) mem->limit);
      if (r >= 0 && v2 && mem->reservation_present && mem->reservation > 0)
        r = prop_t (m, "MemoryLow", (uint64_t) mem->reservation);
      /* v2 swap is swap alone; the spec's is memory+swap. */
      if (r >= 0 && v2 && mem->swap_present && mem->swap == -1)
        r = prop_t (m, "MemorySwapMax", SD_INFINITY);
      else if (r >= 0 && v2 && mem->swap_present && mem->swap > 0 && mem->limit_present && mem->limit > 0)
        {
          if (mem->swap < mem->limit)
            return hr_error_plain (err, EINVAL, "config.json: .linux.resources.memory.swap: memory+swap limit (%" PRId64
                                                ") should be bigger than memory limit (%" PRId64 ")",
                                   (int64_t) mem->swap, (int64_t) mem->limit);
          r = prop_t (m, "MemorySwapMax", (uint64_t) (mem->swap - mem->limit));
        }
    }
  if (r >= 0 && res->pids && res->pids->limit_present && (res->pids->limit > 0 || res->pids->limit == -1))
    r = prop_t (m, "TasksMax", res->pids->limit == -1 ? SD_INFINITY : (uint64_t) res->pids->limit);
  if (r >= 0 && res->cpu)
    {
      const oci_linux_cpu *cpu = res->cpu;
      uint64_t period = cpu->period_present ? (uint64_t) cpu->period : 0;
      int64_t quota = cpu->quota_present ? (int64_t) cpu->quota : 0;
      if (cpu->shares_present && cpu->shares != 0)
        {
          /* The cgroupfs code's conversion (runc's), so that systemd and
             cpu.weight agree. */
          uint64_t s = (uint64_t) cpu->shares;
          r = v2 ? prop_t (m, "CPUWeight", hr_cgroup_shares_to_weight (s)) : prop_t (m, "CPUShares", s);
        }
      if (r >= 0 && (quota != 0 || period != 0))
        {
          /* systemd's quota is per second, in steps of 10 ms: round up,
             as runc does, so the limit is never below the asked one. */
          uint64_t per_sec = SD_INFINITY;
          if (quota > 0)
            {
              per_sec = (uint64_t) quota * 1000000ULL / (period ? period : 100000);
              if (per_sec % 10000)
                per_sec = (per_sec / 10000 + 1) * 10000;
            }
          r = prop_t (m, "CPUQuotaPerSecUSec", per_sec);
          if (r >= 0 && period != 0)
            r = prop_t (m, "CPUQuotaPeriodUSec", period);
        }
      if (r >= 0 && v2 && cpu->cpus && *cpu->cpus && prop_mask (m, "AllowedCPUs", cpu->cpus, "cpus", err) < 0)
        return -1;
      if (r >= 0 && v2 && cpu->mems && *cpu->mems
          && prop_mask (m, "AllowedMemoryNodes", cpu->mems, "mems", err) < 0)
        return -1;
    }
  if (r < 0)
    return hr_error_plain (err, -r, "systemd: unit properties: %s", strerror (-r));
  return 0;
}

/* The unit's cgroup path below the hierarchy's root ("ControlGroup"). */
static int
unit_cgroup_path (sd_bus *bus, const char *unit, bool slice, char **out, hr_err *err)
{
  _cleanup_ (sd_bus_message_unrefp) sd_bus_message *reply = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  const char *opath;
  char *cg = NULL;
  int r;

  r = sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", unit);
  if (r >= 0)
    r = sd_bus_message_read (reply, "o", &opath);
  if (r >= 0)
    r = sd_bus_get_property_string (bus, SD_DEST, opath,
                                    slice ? "org.freedesktop.systemd1.Slice" : "org.freedesktop.systemd1.Scope",
                                    "ControlGroup", &e, &cg);
  if (r < 0)
    {
      hr_error_plain (err, -r, "systemd: cgroup of unit %s: %s", unit, bus_msg (&e, r));
      sd_bus_error_free (&e);
      return -1;
    }
  if (cg[0] != '/' || strstr (cg, "/..") || strcmp (cg, "/") == 0)
    {
      hr_error_plain (err, EINVAL, "systemd: unit %s has an unexpected cgroup \"%s\"", unit, cg);
      free (cg);
      return -1;
    }
  *out = cg;
  return 0;
}

int
hr_systemd_cgroup_create (const char *unit, const char *slice, const char *id, pid_t pid,
                          const oci_linux_resources *res, struct hr_cgroup **out, bool *started, hr_err *err)
{
  _cleanup_ (sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
  _cleanup_ (sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
  _cleanup_ (sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
  _cleanup_free_ char *desc = xasprintf ("hydra-runc container %s", id), *cgpath = NULL;
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  struct job_wait w = { .unit = unit };
  sd_bus_error e = SD_BUS_ERROR_NULL;
  enum hr_cgroup_layout layout = hr_cgroup_layout ();
  bool v2 = layout == HR_CGROUP_UNIFIED, is_slice = str_has_suffix (unit, ".slice"), direct;
  const char *job;
  int r, ret = -1;

  *started = false;
  if (bus_open (&bus, &direct, err) < 0)
    return -1;
  if (watch_jobs (bus, direct, &w, &slot, err) < 0)
    goto out;

  r = sd_bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
  if (r >= 0)
    r = sd_bus_message_append (m, "ss", unit, "replace");
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = sd_bus_message_append (m, "(sv)", "Description", "s", desc);
  if (r >= 0 && is_slice)
    {
      /* A slice's parent follows from its name; runc adds a weak
         dependency on the slice it was given.  A slice holds no process
         by itself: the init is moved in below. */
      if (strcmp (slice, "-.slice") != 0)
        r = sd_bus_message_append (m, "(sv)", "Wants", "as", 1, slice);
    }
  else if (r >= 0)
    {
      r = sd_bus_message_append (m, "(sv)", "Slice", "s", slice);
      if (r >= 0)
        r = prop_b (m, "Delegate", true);
      if (r >= 0)
        r = sd_bus_message_append (m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
    }
  /* Scopes are stopped with the container, not ordered at shutdown. */
  if (r >= 0)
    r = prop_b (m, "DefaultDependencies", false);
  if (r >= 0)
    r = prop_b (m, "MemoryAccounting", true);
  if (r >= 0)
    r = prop_b (m, "CPUAccounting", true);
  if (r >= 0)
    r = prop_b (m, "TasksAccounting", true);
  if (r >= 0)
    r = prop_b (m, v2 ? "IOAccounting" : "BlockIOAccounting", true);
  if (r < 0)
    {
      hr_error_plain (err, -r, "systemd: unit properties: %s", strerror (-r));
      goto out;
    }
  if (append_resources (m, res, v2, err) < 0)
    goto out;
  r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_message_append (m, "a(sa(sv))", 0);
  if (r < 0)
    {
      hr_error_plain (err, -r, "systemd: StartTransientUnit message: %s", strerror (-r));
      goto out;
    }
  r = sd_bus_call (bus, m, 0, &e, &reply);
  if (r >= 0)
    r = sd_bus_message_read (reply, "o", &job);
  if (r < 0)
    {
      hr_error_plain (err, -r, "systemd: start unit %s: %s", unit, bus_msg (&e, r));
      goto out;
    }
  /* From here the unit is ours to stop (before, it may be another's of
     the same name: "Unit ... already exists"). */
  *started = true;
  if (wait_job (bus, &w, job, "start unit", err) < 0)
    goto out;
  if (unit_cgroup_path (bus, unit, is_slice, &cgpath, err) < 0)
    goto out;

  if (v2)
    {
      /* The unit's directory is the container's; systemd owns (and has
         enabled controllers in) everything above it. */
      cg = xmalloc0 (sizeof (*cg));
      cg->layout = layout;
      cg->dirs = xmalloc0 (sizeof (*cg->dirs));
      cg->dirs[0].controllers = xstrdup ("unified");
      cg->dirs[0].dir = xasprintf (HR_CGROUP_ROOT "%s", cgpath);
      cg->len = 1;
    }
  /* v1 and hybrid: the same path in every hierarchy (systemd made it in
     those it manages); the init joins it everywhere. */
  else if (hr_cgroup_create (cgpath, id, false, &cg, err) < 0)
    goto out;
  if ((is_slice || !v2) && hr_cgroup_enter (cg, pid, err) < 0)
    goto out;
  *out = TAKE_PTR (cg);
  ret = 0;

out:
  sd_bus_error_free (&e);
  free (w.job);
  free (w.result);
  return ret;
}

int
hr_systemd_unit_stop (const char *unit, hr_err *err)
{
  _cleanup_ (sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
  _cleanup_ (sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
  _cleanup_ (sd_bus_message_unrefp) sd_bus_message *reply = NULL;
  struct job_wait w = { .unit = unit };
  sd_bus_error e = SD_BUS_ERROR_NULL;
  const char *job;
  bool direct;
  int r, ret = -1;

  if (bus_open (&bus, &direct, err) < 0)
    return -1;
  if (watch_jobs (bus, direct, &w, &slot, err) < 0)
    goto out;
  r = sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss", unit, "replace");
  if (r >= 0)
    r = sd_bus_message_read (reply, "o", &job);
  if (r < 0)
    {
      /* An empty scope is stopped and collected by systemd itself. */
      if (!sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
        {
          hr_error_plain (err, -r, "systemd: stop unit %s: %s", unit, bus_msg (&e, r));
          goto out;
        }
    }
  else if (wait_job (bus, &w, job, "stop unit", err) < 0)
    goto out;
  sd_bus_error_free (&e);
  /* A scope whose processes were killed can stay loaded as "failed". */
  (void) sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);
  ret = 0;

out:
  sd_bus_error_free (&e);
  free (w.job);
  free (w.result);
  return ret;
}

/* ---- the driver ---------------------------------------------------------- */

static bool
sd_places_after_clone (void)
{
  /* systemd moves the init into the scope it starts for it: no
     CLONE_INTO_CGROUP, on v2 either. */
  return true;
}

static int
sd_check (const char *cgroups_path, const char *id, hr_err *err)
{
  _cleanup_free_ char *slice = NULL, *unit = NULL;
  return hr_systemd_check (cgroups_path, id, &slice, &unit, err);
}

/* The unit is started only once the init exists (place_init): until then
   the handle holds its names and no directory. */
static int
sd_prepare (const char *cgroups_path, const char *id, bool rootless, struct hr_cgroup **out, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = xmalloc0 (sizeof (*cg));

  cg->driver = &hr_cgroup_driver_systemd;
  cg->layout = hr_cgroup_layout ();
  cg->id = xstrdup (id);
  cg->rootless = rootless;
  /* A user manager delegates cgroup v2 only; runc refuses the same
     ("rootless systemd on cgroup v1 is not supported"). */
  if (geteuid () != 0 && cg->layout != HR_CGROUP_UNIFIED)
    return hr_error_plain (err, ENOTSUP,
                           "--systemd-cgroup: a rootless container's systemd cgroup needs a pure cgroup v2 host "
                           "(this one is %s); run without --systemd-cgroup",
                           hr_cgroup_layout_name (cg->layout));
  if (hr_systemd_unit_names (cgroups_path, id, &cg->slice, &cg->unit, err) < 0)
    return -1;
  /* A user's unit goes to its manager's user.slice unless a slice was
     named (runc's rootless default). */
  if (geteuid () != 0 && strcmp (cg->slice, "system.slice") == 0
      && (cgroups_path == NULL || *cgroups_path == '\0' || *cgroups_path == ':'))
    {
      free (cg->slice);
      cg->slice = xstrdup ("user.slice");
    }
  *out = TAKE_PTR (cg);
  return 0;
}

static int
sd_place_init (struct hr_cgroup *cg, pid_t pid, bool born_inside, const oci_linux_resources *res, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *made = NULL;
  bool started = false;

  (void) born_inside;
  int r = hr_systemd_cgroup_create (cg->unit, cg->slice, cg->id, pid, res, &made, &started, err);
  cg->unit_started = started;
  if (r < 0)
    return -1;
  cg->layout = made->layout;
  cg->dirs = TAKE_PTR (made->dirs);
  cg->len = made->len;
  made->len = 0;
  return 0;
}

static int
sd_destroy (const struct hr_cgroup *cg, hr_err *err)
{
  /* The (now empty) scope goes with its unit. */
  if (cg->unit_started && hr_systemd_unit_stop (cg->unit, err) < 0)
    return -1;
  return hr_cgroup_destroy (cg, err);
}

static void
sd_to_state (const struct hr_cgroup *cg, hr_state_file *st)
{
  hr_cgroupfs_to_state (cg, st);
  if (cg->unit_started && st->systemd_unit == NULL)
    st->systemd_unit = xstrdup (cg->unit);
}

static int
sd_from_state (const hr_state_file *st, struct hr_cgroup **out, hr_err *err)
{
  if (hr_cgroupfs_from_state (st, out, err) < 0)
    return -1;
  if (*out == NULL)
    return 0;
  (*out)->driver = &hr_cgroup_driver_systemd;
  if (st->systemd_unit)
    {
      (*out)->unit = xstrdup (st->systemd_unit);
      (*out)->unit_started = true;
    }
  return 0;
}

/* Once the unit runs, its directories are cgroupfs ones: limits systemd
   has no property for, freezing, stats and pids go through the cgroupfs
   code, as runc's systemd manager hands them to its fs manager. */
const struct hr_cgroup_driver hr_cgroup_driver_systemd = {
  .name = "systemd", .available = hr_systemd_booted, .places_after_clone = sd_places_after_clone,
  .check = sd_check, .prepare = sd_prepare, .place_init = sd_place_init, .destroy = sd_destroy,
  .to_state = sd_to_state, .from_state = sd_from_state,
  /* clone_into gives -1 until the unit runs (no directory yet); an exec on
     v2 is born in the unit's cgroup. */
  HR_CGROUPFS_DIR_OPS,
};
