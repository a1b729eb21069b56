/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define UNIFIED_KEY "unified"

static bool
is_cgroup2 (const char *path)
{
  struct statfs s;
  return statfs (path, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

enum hr_cgroup_layout
hr_cgroup_layout (void)
{
  if (is_cgroup2 (HR_CGROUP_ROOT))
    return HR_CGROUP_UNIFIED;
  if (is_cgroup2 (HR_CGROUP_ROOT "/unified"))
    return HR_CGROUP_HYBRID;
  return HR_CGROUP_LEGACY;
}

const char *
hr_cgroup_layout_name (enum hr_cgroup_layout l)
{
  return l == HR_CGROUP_UNIFIED ? "unified (v2)" : l == HR_CGROUP_HYBRID ? "hybrid" : "legacy (v1)";
}

bool
hr_cgroup_ns_by_default (enum hr_cgroup_layout l)
{
  /* On v1 and hybrid a cgroup namespace from `spec` breaks configs that
     add their own ("duplicate namespace type") and shows an exec'd
     process `/` as its cgroup; runc's spec adds it on v2 only. */
  return l == HR_CGROUP_UNIFIED;
}

/* runc's utils.CleanPath: filepath.Clean, with a relative path cleaned as
   if it started at "/", so ".." never climbs above where the path is
   joined.  Lexical (cgroupfs has no symlinks).  "/a/../b" -> "/b",
   "../x" -> "/x", "a//b/" -> "/a/b".  Always starts with "/". */
static char *
clean_path (const char *p)
{
  char *r = xmalloc0 (strlen (p) + 2), *w = r;

  for (const char *c = p; *c;)
    {
      size_t len = strcspn (c, "/");
      if (len == 2 && c[0] == '.' && c[1] == '.')
        {
          while (w > r && *--w != '/')
            ; /* drop the last component kept */
        }
      else if (len > 0 && !(len == 1 && c[0] == '.'))
        {
          *w++ = '/';
          memcpy (w, c, len);
          w += len;
        }
      c += len;
      c += *c == '/';
    }
  if (w == r)
    *w++ = '/';
  *w = '\0';
  return r;
}

char *
hr_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own)
{
  const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
  _cleanup_free_ char *clean = clean_path (p);

  /* A path with ".." was made as written (mkdir of "a/../b" makes a and
     b) while delete refused it: the cgroups leaked. */
  if (p[0] == '/' || strcmp (own, "/") == 0)
    return TAKE_PTR (clean);
  if (strcmp (clean, "/") == 0)
    return xstrdup (own);
  return xasprintf ("%s%s", own, clean);
}

int
hr_cgroup_check_path (const char *cgroups_path, hr_err *err)
{
  if (cgroups_path == NULL || *cgroups_path == '\0')
    return 0;
  _cleanup_free_ char *clean = clean_path (cgroups_path);
  /* Its limits would be the whole hierarchy's (or the runtime's), and
     delete would try to remove it. */
  if (strcmp (clean, "/") == 0)
    return hr_error_plain (err, EINVAL,
                           "linux.cgroupsPath `%s`: names the hierarchy's root or the runtime's own cgroup, not one "
                           "of the container's",
                           cgroups_path);
  return 0;
}

int
hr_cgroup_write (const char *dir, const char *file, const char *value, hr_err *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hr_error_set (err, errno, "open %s", path);
  if (write (fd, value, strlen (value)) < 0)
    return hr_error_set (err, errno, "write `%s` to %s", value, path);
  return 0;
}

int
hr_cgroup_read (const char *dir, const char *file, char **out, hr_err *err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hr_error_set (err, errno, "open %s", path);
  return hr_read_all (fd, 1 << 20, out, NULL, err);
}

/* Where a v1 hierarchy is mounted: Debian mounts cpu,cpuacct as one dir,
   named hierarchies by their name. */
char *
hr_cgroup_v1_mount (const char *controllers)
{
  _cleanup_free_ char *copy = NULL;
  char *save = NULL, *path;
  struct stat st;

  if (str_has_prefix (controllers, "name="))
    path = xasprintf (HR_CGROUP_ROOT "/%s", controllers + 5);
  else
    path = xasprintf (HR_CGROUP_ROOT "/%s", controllers);
  if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    return path;
  free (path);
  copy = xstrdup (controllers);
  for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
    {
      path = xasprintf (HR_CGROUP_ROOT "/%s", c);
      if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
        return path;
      free (path);
    }
  return NULL;
}

/* A v1 cpuset cgroup with no cpus or mems accepts no task (ENOSPC): give
   it its parent's, as runc's cpusetCopyIfNeeded does for every level it
   ensures, whether it made the directory or found it empty (a pod's
   cgroup made by another tool with a plain mkdir). */
static int
cpuset_copy_if_empty (const char *dir, hr_err *err)
{
  _cleanup_free_ char *parent = xstrdup (dir);
  *strrchr (parent, '/') = '\0';
  for (int i = 0; i < 2; i++)
    {
      const char *f = i ? "cpuset.mems" : "cpuset.cpus";
      _cleanup_free_ char *cur = NULL, *v = NULL;
      if (hr_cgroup_read (dir, f, &cur, err) < 0)
        return -1;
      if (cur[strspn (cur, " \n")] != '\0')
        continue;
      if (hr_cgroup_read (parent, f, &v, err) < 0 || hr_cgroup_write (dir, f, v, err) < 0)
        return -1;
    }
  return 0;
}

/* mkdir -p below mount, cpusets filled top-down; *made says whether the
   last directory is new. */
static int
mkdir_cgroup (const char *mount, const char *path, bool cpuset, bool *made, hr_err *err)
{
  _cleanup_free_ char *full = xasprintf ("%s%s", mount, path);
  size_t base = strlen (mount);

  for (char *s = full + base + 1; ; s++)
    {
      bool end = *s == '\0';
      if (*s != '/' && !end)
        continue;
      *s = '\0';
      *made = mkdir (full, 0755) == 0;
      if (!*made && errno != EEXIST)
        return hr_error_set (err, errno, "create cgroup %s", full);
      if (cpuset && cpuset_copy_if_empty (full, err) < 0)
        return -1;
      if (end)
        break;
      *s = '/';
    }
  return 0;
}

/* cgroup v2: a controller's files exist in a cgroup only when its parent
   enables it in cgroup.subtree_control, all the way down. */
static void
v2_enable_controllers (const char *mount, const char *path)
{
  _cleanup_free_ char *avail = NULL, *want = NULL, *dir = xstrdup (mount);
  hr_err e = NULL;
  size_t len = 0;

  if (hr_cgroup_read (mount, "cgroup.controllers", &avail, &e) < 0)
    {
      hr_error_free (&e);
      return;
    }
  want = xmalloc0 (strlen (avail) * 2 + 2);
  for (char *save = NULL, *c = strtok_r (avail, " \n", &save); c; c = strtok_r (NULL, " \n", &save))
    len += (size_t) sprintf (want + len, "%s+%s", len ? " " : "", c);
  if (len == 0)
    return;
  _cleanup_free_ char *p = xstrdup (path);
  for (char *save = NULL, *comp = strtok_r (p, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      /* Enable in the current directory for the next level.  A cgroup with
         processes of its own cannot (EBUSY, "no internal processes"): the
         resources then fail later with an error that names the file. */
      if (hr_cgroup_write (dir, "cgroup.subtree_control", want, &e) < 0)
        hr_error_free (&e);
      char *next = xasprintf ("%s/%s", dir, comp);
      free (dir);
      dir = next;
    }
}

static void
add_dir (struct hr_cgroup *cg, const char *controllers, char *dir)
{
  cg->dirs = xrealloc (cg->dirs, (cg->len + 1) * sizeof (*cg->dirs));
  cg->dirs[cg->len].controllers = xstrdup (controllers);
  cg->dirs[cg->len].dir = dir;
  cg->dirs[cg->len].existed = false;
  cg->len++;
}

void
hr_cgroup_free (struct hr_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->len; i++)
    {
      free (cg->dirs[i].controllers);
      free (cg->dirs[i].dir);
    }
  free (cg->dirs);
  free (cg->id);
  free (cg->unit);
  free (cg->slice);
  free (cg);
}


bool
hr_cgroup_rootless_ignorable (int e)
{
  return e == EACCES || e == EPERM || e == EROFS;
}

int
hr_cgroup_create (const char *cgroups_path, const char *id, bool rootless, struct hr_cgroup **out, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = xmalloc0 (sizeof (*cg));
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  _cleanup_free_ char *line = NULL, *left_out = NULL;
  size_t cap = 0;

  if (f == NULL)
    return hr_error_set (err, errno, "open /proc/self/cgroup");
  cg->layout = hr_cgroup_layout ();
  /* runc's rootless managers (fs Apply, fs2 Apply) skip a hierarchy only
     when no cgroupsPath was asked for: an explicit one that cannot be
     made stays an error ("rootless + cgrouppath + no permission"). */
  cg->rootless = rootless;
  cg->skip = rootless && (cgroups_path == NULL || *cgroups_path == '\0');
  while (getline (&line, &cap, f) > 0)
    {
      char *ctrls = strchr (line, ':'), *own, *nl;
      _cleanup_free_ char *mount = NULL, *path = NULL;

      if (ctrls == NULL || (own = strchr (++ctrls, ':')) == NULL)
        continue;
      *own++ = '\0';
      if ((nl = strchr (own, '\n')))
        *nl = '\0';
      if (*ctrls == '\0')
        {
          if (cg->layout == HR_CGROUP_LEGACY)
            continue;
          mount = xstrdup (cg->layout == HR_CGROUP_UNIFIED ? HR_CGROUP_ROOT : HR_CGROUP_ROOT "/unified");
        }
      else if ((mount = hr_cgroup_v1_mount (ctrls)) == NULL)
        continue; /* a hierarchy this host does not mount */
      path = hr_cgroup_resolve_path (cgroups_path, id, own);
      bool made = false;
      if (mkdir_cgroup (mount, path, strstr (ctrls, "cpuset") != NULL, &made, err) < 0)
        {
          if (cg->skip && hr_cgroup_rootless_ignorable (hr_error_errno (*err)))
            {
              hr_debug ("rootless: cgroup %s%s left out: %s", mount, path, (*err)->msg);
              hr_error_free (err);
              char *more = xasprintf ("%s%s%s", left_out ? left_out : "", left_out ? ", " : "",
                                      *ctrls ? ctrls : "cgroup2");
              free (left_out);
              left_out = more;
              continue;
            }
          hr_cgroup_destroy (cg, NULL);
          return -1;
        }
      if (*ctrls == '\0' && cg->layout == HR_CGROUP_UNIFIED)
        v2_enable_controllers (mount, path);
      add_dir (cg, *ctrls ? ctrls : UNIFIED_KEY, xasprintf ("%s%s", mount, path));
      cg->dirs[cg->len - 1].existed = !made;
    }
  /* The issue asks for a word where runc is silent: a rootless container
     without a cgroup has no limits, no pause, no `ps`. */
  if (left_out)
    hr_warn ("rootless: no permission to create cgroups (%s): the container runs without them", left_out);
  *out = TAKE_PTR (cg);
  return 0;
}

int
hr_cgroup_check_joinable (const struct hr_cgroup *cg, hr_err *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  hr_err e = NULL;

  /* runc's factory Create: the same refusal and warning, before the init
     exists.  A new cgroup below a frozen one is frozen too (v1 freezer
     and cgroup.freeze are inherited), so the one check covers both. */
  if (hr_cgroup_frozen (cg))
    return hr_error_plain (err, EBUSY, "container's cgroup unexpectedly frozen");
  if (hr_cgroup_pids (cg, &pids, &n, &e) < 0)
    hr_error_free (&e);
  else if (n > 0)
    hr_warn ("container's cgroup is not empty: %zu process(es) found", n);
  return 0;
}

int
hr_cgroup_from_state (const oci_string_map *paths, struct hr_cgroup **out, hr_err *err)
{
  struct hr_cgroup *cg = xmalloc0 (sizeof (*cg));
  cg->layout = hr_cgroup_layout ();
  for (size_t i = 0; i < paths->len; i++)
    {
      /* state.json is ours, but it sits on disk: only cgroupfs paths. */
      if (!str_has_prefix (paths->values[i], HR_CGROUP_ROOT "/") || strstr (paths->values[i], "/../"))
        {
          hr_cgroup_free (cg);
          return hr_error_plain (err, EINVAL, "state.json: invalid cgroup path `%s`", paths->values[i]);
        }
      add_dir (cg, paths->keys[i], xstrdup (paths->values[i]));
    }
  *out = cg;
  return 0;
}

void
hr_cgroup_to_state (const struct hr_cgroup *cg, oci_string_map *paths)
{
  for (size_t i = 0; i < cg->len; i++)
    oci_string_map_set (paths, cg->dirs[i].controllers, cg->dirs[i].dir);
}

bool
hr_cgroup_controllers_have (const char *controllers, const char *controller)
{
  /* "cpu" matches "cpu,cpuacct" but not "cpuset". */
  size_t n = strlen (controller);
  for (const char *p = controllers; *p;)
    {
      const char *end = strchrnul (p, ',');
      if ((size_t) (end - p) == n && strncmp (p, controller, n) == 0)
        return true;
      p = *end ? end + 1 : end;
    }
  return false;
}

const char *
hr_cgroup_dir_of (const struct hr_cgroup *cg, const char *controller)
{
  for (size_t i = 0; i < cg->len; i++)
    {
      const char *c = cg->dirs[i].controllers;
      if (strcmp (controller, UNIFIED_KEY) == 0 || *controller == '\0')
        {
          if (strcmp (c, UNIFIED_KEY) == 0)
            return cg->dirs[i].dir;
          continue;
        }
      if (hr_cgroup_controllers_have (c, controller))
        return cg->dirs[i].dir;
    }
  /* On a unified host every controller lives in the one directory (once
     asked for that one, the search is over: a systemd handle has no
     directory until its unit runs). */
  if (cg->layout == HR_CGROUP_UNIFIED && strcmp (controller, UNIFIED_KEY) != 0 && *controller != '\0')
    return hr_cgroup_dir_of (cg, UNIFIED_KEY);
  return NULL;
}

int
hr_cgroup_sub (const struct hr_cgroup *cg, const char *sub, struct hr_cgroup **out, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *r = xmalloc0 (sizeof (*r));
  _cleanup_free_ char *copy = xstrdup (sub);

  if (*sub == '\0' || *sub == '/' || strchr (sub, ':'))
    return hr_error_plain (err, EINVAL, "--cgroup `%s`: must be a path relative to the container's cgroup", sub);
  for (char *save = NULL, *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    if (strcmp (c, "..") == 0 || strcmp (c, ".") == 0)
      return hr_error_plain (err, EINVAL, "--cgroup `%s`: may not leave the container's cgroup", sub);
  r->layout = cg->layout;
  for (size_t i = 0; i < cg->len; i++)
    {
      struct stat st;
      char *d = xasprintf ("%s/%s", cg->dirs[i].dir, sub);
      if (lstat (d, &st) < 0 || !S_ISDIR (st.st_mode))
        {
          int e = errno ? errno : ENOTDIR;
          hr_error_plain (err, e, "--cgroup `%s`: no such sub-cgroup %s", sub, d);
          free (d);
          return -1;
        }
      add_dir (r, cg->dirs[i].controllers, d);
    }
  *out = TAKE_PTR (r);
  return 0;
}

int
hr_cgroup_enter (const struct hr_cgroup *cg, pid_t pid, hr_err *err)
{
  char buf[32];
  snprintf (buf, sizeof (buf), "%d", (int) pid);
  for (size_t i = 0; i < cg->len; i++)
    if (hr_cgroup_write (cg->dirs[i].dir, "cgroup.procs", buf, err) < 0)
      return -1;
  return 0;
}

int
hr_cgroup_enter_rootless (struct hr_cgroup *cg, pid_t pid, bool (*needed) (const char *controllers, void *arg),
                          void *arg, hr_err *err)
{
  char buf[32];
  snprintf (buf, sizeof (buf), "%d", (int) pid);
  for (size_t i = 0; i < cg->len;)
    {
      struct hr_cgroup_dir *d = &cg->dirs[i];
      if (hr_cgroup_write (d->dir, "cgroup.procs", buf, err) == 0)
        {
          i++;
          continue;
        }
      if (!cg->skip || !hr_cgroup_rootless_ignorable (hr_error_errno (*err)))
        return -1;
      if (needed && needed (d->controllers, arg))
        {
          hr_error_free (err);
          return hr_error_plain (err, EPERM, "cannot set %s limit: container could not join or create cgroup",
                                 strcmp (d->controllers, UNIFIED_KEY) == 0 ? "cgroup2" : d->controllers);
        }
      /* (cgroup v2 lets a user move a process only inside a subtree it
         owns, from its source cgroup up: a directory made is not yet one
         that can be entered) */
      hr_warn ("rootless: cannot join cgroup %s (%s): the container runs without it", d->dir, (*err)->msg);
      hr_error_free (err);
      if (!d->existed)
        (void) rmdir (d->dir);
      free (d->controllers);
      free (d->dir);
      memmove (d, d + 1, (cg->len - i - 1) * sizeof (*d));
      cg->len--;
    }
  return 0;
}

/* The directory whose freezing stops the container: the v1 freezer's, or
   cgroup2's where there is no v1 freezer (hr_cgroup_freeze). */
static const char *
freezer_dir (const struct hr_cgroup *cg)
{
  const char *d = hr_cgroup_dir_of (cg, "freezer");
  if (d && cg->layout != HR_CGROUP_UNIFIED)
    return d;
  return hr_cgroup_dir_of (cg, UNIFIED_KEY);
}

int
hr_cgroup_enter_part (const struct hr_cgroup *cg, pid_t pid, bool freezer, hr_err *err)
{
  const char *fz = freezer_dir (cg);
  char buf[32];
  snprintf (buf, sizeof (buf), "%d", (int) pid);
  for (size_t i = 0; i < cg->len; i++)
    if ((fz != NULL && strcmp (cg->dirs[i].dir, fz) == 0) == freezer
        && hr_cgroup_write (cg->dirs[i].dir, "cgroup.procs", buf, err) < 0)
      return -1;
  return 0;
}

int
hr_cgroup_v2_dirfd (const struct hr_cgroup *cg)
{
  const char *d;
  if (cg->layout != HR_CGROUP_UNIFIED || (d = hr_cgroup_dir_of (cg, UNIFIED_KEY)) == NULL)
    return -1;
  return open (d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

int
hr_cgroup_destroy (const struct hr_cgroup *cg, hr_err *err)
{
  for (size_t i = 0; cg && i < cg->len; i++)
    {
      int tries = 0;
      /* Never remove a cgroup someone else made (a pod's, a pre-existing
         cgroupsPath) when the create that found it fails. */
      if (cg->dirs[i].existed)
        continue;
      /* An exiting task still counts for a while after its parent reaped
         it (much longer under emulation): retry EBUSY for up to ~10 s,
         polling often at first. */
      while (rmdir (cg->dirs[i].dir) < 0)
        {
          if (errno == ENOENT)
            break;
          if (errno != EBUSY || ++tries > 250)
            {
              if (err)
                return hr_error_set (err, errno, "remove cgroup %s", cg->dirs[i].dir);
              break;
            }
          sleep_ms (tries < 50 ? 5 : 40);
        }
    }
  return 0;
}

int
hr_cgroup_pids (const struct hr_cgroup *cg, pid_t **pids, size_t *n, hr_err *err)
{
  static const char *const prefer[] = { UNIFIED_KEY, "pids", "freezer", "memory", "cpu", "devices" };
  _cleanup_free_ char *data = NULL;
  const char *dir = NULL;
  size_t len = 0;

  for (size_t i = 0; dir == NULL && i < sizeof (prefer) / sizeof (prefer[0]); i++)
    dir = hr_cgroup_dir_of (cg, prefer[i]);
  if (dir == NULL && cg->len)
    dir = cg->dirs[0].dir;
  *pids = NULL;
  *n = 0;
  if (dir == NULL)
    return 0;
  if (hr_cgroup_read (dir, "cgroup.procs", &data, err) < 0)
    return -1;
  for (char *save = NULL, *t = strtok_r (data, "\n", &save); t; t = strtok_r (NULL, "\n", &save))
    {
      *pids = xrealloc (*pids, (len + 1) * sizeof (pid_t));
      (*pids)[len++] = (pid_t) strtol (t, NULL, 10);
    }
  *n = len;
  return 0;
}

static bool
v2_frozen (const char *dir)
{
  _cleanup_free_ char *ev = NULL;
  hr_err e = NULL;
  if (hr_cgroup_read (dir, "cgroup.events", &ev, &e) < 0)
    {
      hr_error_free (&e);
      return false;
    }
  return strstr (ev, "frozen 1") != NULL;
}

bool
hr_cgroup_frozen (const struct hr_cgroup *cg)
{
  const char *d = hr_cgroup_dir_of (cg, "freezer");
  if (d && cg->layout != HR_CGROUP_UNIFIED)
    {
      _cleanup_free_ char *st = NULL;
      hr_err e = NULL;
      if (hr_cgroup_read (d, "freezer.state", &st, &e) < 0)
        {
          hr_error_free (&e);
          return false;
        }
      return str_has_prefix (st, "FROZEN");
    }
  d = hr_cgroup_dir_of (cg, UNIFIED_KEY);
  return d && v2_frozen (d);
}

int
hr_cgroup_freeze (const struct hr_cgroup *cg, bool freeze, hr_err *err)
{
  const char *d = hr_cgroup_dir_of (cg, "freezer");

  if (d && cg->layout != HR_CGROUP_UNIFIED)
    {
      /* v1: FREEZING can linger while tasks are in uninterruptible
         sleep; ask again until the state says FROZEN (runc does too). */
      const char *want = freeze ? "FROZEN" : "THAWED";
      for (int i = 0; i < 1000; i++)
        {
          _cleanup_free_ char *st = NULL;
          if (hr_cgroup_write (d, "freezer.state", want, err) < 0 || hr_cgroup_read (d, "freezer.state", &st, err) < 0)
            return -1;
          if (str_has_prefix (st, want))
            return 0;
          sleep_ms (i < 10 ? 1 : 10);
        }
      return hr_error_plain (err, ETIMEDOUT, "cgroup %s did not become %s", d, want);
    }
  d = hr_cgroup_dir_of (cg, UNIFIED_KEY);
  if (d == NULL)
    return hr_error_plain (err, ENOTSUP, "no freezer for this container's cgroup");
  /* v2: the kernel notifies a change of cgroup.events (POLLPRI, as for
     any kernfs file it marks modified; cgroup-v2.rst): wait for "frozen"
     to say so instead of polling with sleeps, which cost pause and resume
     a millisecond or more each.  The file is opened before the write so
     that no notification can come between them unseen. */
  _cleanup_free_ char *path = xasprintf ("%s/cgroup.events", d);
  _cleanup_close_ int ev = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (ev < 0)
    return hr_error_set (err, errno, "open %s", path);
  if (hr_cgroup_write (d, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
    return -1;
  struct timespec start, now;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      char buf[512];
      ssize_t n = pread (ev, buf, sizeof (buf) - 1, 0);
      if (n < 0)
        return hr_error_set (err, errno, "read %s", path);
      buf[n] = '\0';
      if ((strstr (buf, "frozen 1") != NULL) == freeze)
        return 0;
      clock_gettime (CLOCK_MONOTONIC, &now);
      long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (waited >= 10000)
        return hr_error_plain (err, ETIMEDOUT, "cgroup %s did not %s", d, freeze ? "freeze" : "thaw");
      /* (bounded too: a missed or absent notification costs 10 ms) */
      struct pollfd p = { .fd = ev, .events = POLLPRI };
      if (poll (&p, 1, 10) < 0 && errno != EINTR)
        return hr_error_set (err, errno, "poll %s", path);
    }
}
