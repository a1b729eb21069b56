/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/mounts.h"
#include "kernel/mounts_internal.h"
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The attributes fsmount(2) accepts. */
#define FSMOUNT_ATTRS                                                                                      \
  (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME      \
   | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

int
hr_mount_root_propagation (uint64_t flags, hr_err *err)
{
  if (mount (NULL, "/", NULL, (unsigned long) flags, NULL) < 0)
    return hr_error_set (err, errno, "set propagation of /");
  return 0;
}

/* mountinfo escapes " \t\n\\" as \ooo. */
static void
unescape_octal (char *s)
{
  char *o = s;
  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
        {
          *o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 3;
        }
      else
        *o++ = *s;
    }
  *o = '\0';
}

/* runc's rootfsParentMountPrivate: the mount holding the rootfs must not
   be shared, or our bind of the rootfs would propagate to its peers (the
   host, with rootfsPropagation "shared") and pivot_root(2) would fail
   (it refuses a new root whose parent mount is shared).  An unbindable one
   would refuse the bind: make it private too. */
static int
rootfs_parent_private (const char *rootfs, hr_err *err)
{
  _cleanup_fclose_ FILE *f = NULL;
  _cleanup_free_ char *line = NULL;
  struct statx stx;
  size_t cap = 0;

  if (statx (AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
    return hr_error_set (err, errno, "statx rootfs `%s`", rootfs);
  f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return hr_error_set (err, errno, "open /proc/self/mountinfo");
  while (getline (&line, &cap, f) > 0)
    {
      unsigned long long id;
      char mp[4096], opt[4096];
      int off = 0;
      /* id parent major:minor root mountpoint options [optional...] - */
      if (sscanf (line, "%llu %*u %*s %*s %4095s %*s%n", &id, mp, &off) < 2 || id != stx.stx_mnt_id)
        continue;
      bool needs_private = false;
      for (char *p = line + off; sscanf (p, " %4095s", opt) == 1 && strcmp (opt, "-") != 0;)
        {
          if (str_has_prefix (opt, "shared:") || strcmp (opt, "unbindable") == 0)
            needs_private = true;
          p = strstr (p, opt) + strlen (opt);
        }
      if (!needs_private)
        return 0;
      unescape_octal (mp);
      if (mount (NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
        return hr_error_set (err, errno, "make parent mount `%s` of the rootfs private", mp);
      return 0;
    }
  return 0;
}

int
hr_mount_bind_rootfs (const char *rootfs, hr_err *err)
{
  int fd;
  if (rootfs_parent_private (rootfs, err) < 0)
    return -1;
  /* rootfs comes from the bundle, which is trusted; its contents are not. */
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return hr_error_set (err, errno, "bind mount rootfs `%s`", rootfs);
  fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open rootfs `%s`", rootfs);
  return fd;
}

/* The kernel explains fsconfig failures in the fs context's log. */
static int
fs_error (int fsfd, int errnum, const char *what, const char *fstype, hr_err *err)
{
  char buf[512];
  ssize_t n = read (fsfd, buf, sizeof (buf) - 1);
  if (n > 2)
    {
      buf[n] = '\0';
      if (buf[n - 1] == '\n')
        buf[n - 1] = '\0';
      return hr_error_set (err, errnum, "%s %s (%s)", what, fstype, buf + 2);
    }
  return hr_error_set (err, errnum, "%s %s", what, fstype);
}

int
hr_new_fs_mount (const char *fstype, const char *source, const char *const *options, size_t n, uint64_t attrs,
                 hr_err *err)
{
  _cleanup_close_ int fsfd = fsopen (fstype, FSOPEN_CLOEXEC);
  int mfd;

  if (fsfd < 0)
    return hr_error_set (err, errno, "fsopen %s", fstype);
  if (source && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return fs_error (fsfd, errno, "set source of", fstype, err);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *key = xstrdup (options[i]);
      char *eq = strchr (key, '=');
      int r;
      if (eq)
        {
          *eq = '\0';
          r = fsconfig (fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
        }
      else
        r = fsconfig (fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
      if (r < 0)
        {
          int e = errno;
          hr_error_set (err, e, "mount option `%s` for %s", options[i], fstype);
          return -1;
        }
    }
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_error (fsfd, errno, "create", fstype, err);
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned) (attrs & FSMOUNT_ATTRS));
  if (mfd < 0)
    return hr_error_set (err, errno, "fsmount %s", fstype);
  return mfd;
}

static int
attach (int mfd, int targetfd, const char *dest, hr_err *err)
{
  if (move_mount (mfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "mount on `%s`", dest);
  return 0;
}

int
hr_set_mount_attrs (int mfd, uint64_t set, uint64_t clr, uint64_t propagation, bool recursive, const char *dest,
                    hr_err *err)
{
  struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = propagation };
  if (set == 0 && clr == 0 && propagation == 0)
    return 0;
  if (mount_setattr (mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof (a)) < 0)
    return hr_error_set (err, errno, "set attributes of `%s`", dest);
  return 0;
}

/* A bind mount's attributes: the r* options on the whole tree first
   (mount_setattr AT_RECURSIVE: "rro" makes every submount read-only),
   then the plain ones on its top mount only, as runc remounts it. */
static int
bind_attrs (int mfd, const struct hr_mount_opts *o, const char *dest, hr_err *err)
{
  if (o->attr_recursive && hr_set_mount_attrs (mfd, o->rattr_set, o->rattr_clear, 0, true, dest, err) < 0)
    return -1;
  return hr_set_mount_attrs (mfd, o->attr_set, o->attr_clear, 0, false, dest, err);
}

/* sysfs can only be mounted by who owns the network namespace
   (kobj_ns_current_may_mount): without a new one of ours the kernel says
   EPERM, and runc then binds the host's /sys instead.  The binding is made
   read-only etc. on every submount: /sys/fs/cgroup of a v1 host must not
   become writable through it. */
static int
sysfs_or_bind (const struct hr_mount_opts *o, const char *dest, hr_err *err)
{
  hr_err e = NULL;
  int mfd = hr_new_fs_mount ("sysfs", "sysfs", o->fs_options, o->fs_options_len, hr_mount_opts_apply (o, 0), &e);
  if (mfd >= 0 || hr_error_errno (e) != EPERM)
    {
      if (mfd < 0)
        *err = e;
      return mfd;
    }
  hr_error_free (&e);
  mfd = open_tree (AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (mfd < 0)
    return hr_error_set (err, errno, "bind /sys (sysfs not mountable here)");
  if (hr_set_mount_attrs (mfd, o->attr_set, o->attr_clear, 0, true, dest, err) < 0)
    {
      close (mfd);
      return -1;
    }
  return mfd;
}

int
hr_mount_step (int rootfd, const struct hr_step *step, int srcfd, hr_err *err)
{
  const oci_mount *m = step->mount;
  const struct hr_mount_opts *o = &step->opts;
  _cleanup_close_ int mfd = -1, target = -1;
  bool as_file = false;

  if (o->tmpcopyup && (o->bind || m->type == NULL || strcmp (m->type, "tmpfs") != 0))
    return hr_error_plain (err, EINVAL, "mount on `%s`: tmpcopyup needs a tmpfs mount", m->destination);
  if (o->bind)
    {
      struct stat st;
      /* Bind sources are host paths named by the trusted config.  Cloning
         from an fd checks no permission on the source itself. */
      int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rbind ? AT_RECURSIVE : 0);
      mfd = srcfd >= 0 ? open_tree (srcfd, "", flags | AT_EMPTY_PATH) : open_tree (AT_FDCWD, m->source, flags);
      if (mfd < 0)
        return hr_error_set (err, errno, "bind mount source `%s`", m->source);
      if (fstat (mfd, &st) < 0)
        return hr_error_set (err, errno, "stat `%s`", m->source);
      as_file = !S_ISDIR (st.st_mode);
      if (bind_attrs (mfd, o, m->destination, err) < 0)
        return -1;
    }
  else if (strcmp (m->type, "sysfs") == 0)
    {
      mfd = sysfs_or_bind (o, m->destination, err);
      if (mfd < 0)
        return hr_error_wrap (err, "mount sysfs on `%s`", m->destination);
    }
  else
    {
      uint64_t attrs = hr_mount_opts_apply (o, 0);
      const char **fs_options = o->fs_options;
      size_t n = o->fs_options_len;
      _cleanup_free_ const char **labelled = NULL;
      _cleanup_free_ char *context = NULL;
      /* A tmpcopyup tmpfs is filled first, made read-only after. */
      if (o->tmpcopyup)
        attrs &= ~(uint64_t) MOUNT_ATTR_RDONLY;
      if (step->value)
        {
          /* linux.mountLabel (plan.c): SELinux's context= mount option.
             fsconfig takes the value whole, so unlike runc's mount data
             string it needs no quotes around the label's commas. */
          context = xasprintf ("context=%s", step->value);
          labelled = xmalloc0 ((n + 1) * sizeof (*labelled));
          if (n)
            memcpy (labelled, fs_options, n * sizeof (*labelled));
          labelled[n++] = context;
          fs_options = labelled;
        }
      mfd = hr_new_fs_mount (m->type, m->source ? m->source : m->type, fs_options, n, attrs, err);
      if (mfd < 0)
        return hr_error_wrap (err, "mount %s on `%s`", m->type, m->destination);
    }

  /* Idmapping is only possible on a mount never attached yet. */
  if ((o->idmap || m->uid_mappings_len || m->gid_mappings_len) && hr_mount_idmap (mfd, m, o->ridmap, err) < 0)
    return -1;

  /* proc and sysfs go on an ordinary directory, never through a symlink
     (runc 1.1.5, CVE-2019-19921, CVE-2023-27561): a rootfs whose /proc
     points elsewhere is refused rather than followed. */
  if (!o->bind && (strcmp (m->type, "proc") == 0 || strcmp (m->type, "sysfs") == 0))
    {
      hr_err e = NULL;
      struct stat st;
      target = hr_open_in_root_nosymlinks (rootfd, m->destination, O_PATH, &e);
      if (target < 0 && hr_error_errno (e) != ENOENT)
        {
          if (hr_error_errno (e) != ELOOP)
            {
              *err = e;
              return -1;
            }
          hr_error_free (&e);
          return hr_error_plain (err, ELOOP, "filesystem \"%s\" must be mounted on ordinary directory (`%s` is a symlink)",
                                 m->type, m->destination);
        }
      hr_error_free (&e);
      if (target >= 0 && (fstat (target, &st) < 0 || !S_ISDIR (st.st_mode)))
        return hr_error_plain (err, ENOTDIR, "filesystem \"%s\" must be mounted on ordinary directory (`%s`)",
                               m->type, m->destination);
    }
  /* The destination is resolved inside the rootfs and made there, never
     through a symlink to the host (see resolve.c). */
  if (target < 0)
    target = hr_create_in_root (rootfd, m->destination, as_file, err);
  if (target < 0)
    return hr_error_wrap (err, "mount destination `%s`", m->destination);
  if (o->tmpcopyup)
    {
      if (hr_copy_tree (target, mfd, m->destination, err) < 0)
        return -1;
      if ((hr_mount_opts_apply (o, 0) & MOUNT_ATTR_RDONLY)
          && hr_set_mount_attrs (mfd, MOUNT_ATTR_RDONLY, 0, 0, false, m->destination, err) < 0)
        return -1;
    }
  if (attach (mfd, target, m->destination, err) < 0)
    return -1;
  if (o->propagation
      && hr_set_mount_attrs (mfd, 0, 0, o->propagation, o->propagation_recursive, m->destination, err) < 0)
    return -1;
  return 0;
}

/* The container's cgroup mount (a "cgroup" mount in config.json).

   Without a cgroup namespace a new cgroupfs instance shows the host's
   whole tree: every sibling's limits, release_agent of the hierarchy root,
   and (mounted writable, with CAP_MKNOD) other devices cgroups to move
   into, opening devices the container's own cgroup denies.  So, as runc's
   getCgroupMounts does, each hierarchy is a bind of the container's own
   directory (which also works in a user namespace, where a new instance
   is refused with EPERM).  With a cgroup namespace a new instance is
   what the kernel roots at the namespace's cgroup.

   Read-only unless the options say "rw": a config that says neither
   gets no write access to its cgroup (runc 1.1 follows the flags alone;
   docs/compat.md). */

#define CGROUP_MOUNT_ATTRS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static uint64_t
cgroup_mount_attrs (const struct hr_mount_opts *o)
{
  bool rw = ((o->attr_clear | o->rattr_clear) & MOUNT_ATTR_RDONLY) != 0;
  return CGROUP_MOUNT_ATTRS | (rw ? 0 : MOUNT_ATTR_RDONLY);
}

/* One hierarchy as a detached mount: `ctrls` as in /proc/self/cgroup
   ("" for cgroup2), `host_dir` the container's directory in it. */
static int
hierarchy_mount (const char *ctrls, const char *host_dir, bool cgroupns, uint64_t attrs, hr_err *err)
{
  int mfd;

  if (cgroupns && *ctrls == '\0')
    return hr_new_fs_mount ("cgroup2", "cgroup2", NULL, 0, attrs, err);
  if (cgroupns)
    {
      _cleanup_free_ char *copy = xstrdup (ctrls);
      const char *opts[16];
      size_t n = 0;
      char *save = NULL;
      if (str_has_prefix (ctrls, "name="))
        opts[n++] = "none";
      for (char *c = strtok_r (copy, ",", &save); c && n < 16; c = strtok_r (NULL, ",", &save))
        opts[n++] = c;
      return hr_new_fs_mount ("cgroup", "cgroup", opts, n, attrs, err);
    }
  /* A host path of the runtime's choosing (the container's cgroup),
     nothing from the rootfs.  Recursive, and every submount gets the
     attributes. */
  mfd = open_tree (AT_FDCWD, host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (mfd < 0)
    return hr_error_set (err, errno, "bind cgroup %s", host_dir);
  if (hr_set_mount_attrs (mfd, attrs, 0, 0, true, host_dir, err) < 0)
    {
      close (mfd);
      return -1;
    }
  return mfd;
}

/* Every hierarchy of the init's /proc/self/cgroup ("N:controllers:path";
   the parent moved it into the container's cgroup before GO) that the
   host mounts, as <tmpfd>/<name of its host mount dir>.  On a pure v2 host
   (tmpfd < 0) the one unified hierarchy goes straight on `target`. */
static int
mount_hierarchies (int tmpfd, int target, const char *dest, bool cgroupns, uint64_t attrs, hr_err *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  _cleanup_free_ char *line = NULL;
  enum hr_cgroup_layout layout = hr_cgroup_layout ();
  size_t cap = 0;

  if (f == NULL)
    return hr_error_set (err, errno, "open /proc/self/cgroup");
  while (getline (&line, &cap, f) > 0)
    {
      char *ctrls = strchr (line, ':'), *path, *nl;
      _cleanup_free_ char *mnt = NULL, *host_dir = NULL;
      _cleanup_close_ int mfd = -1, dir = -1;
      const char *dirname;

      if (ctrls == NULL || (path = strchr (++ctrls, ':')) == NULL)
        continue;
      *path++ = '\0';
      if ((nl = strchr (path, '\n')))
        *nl = '\0';
      if (*ctrls == '\0')
        {
          if (layout == HR_CGROUP_LEGACY)
            continue;
          mnt = xstrdup (layout == HR_CGROUP_UNIFIED ? HR_CGROUP_ROOT : HR_CGROUP_ROOT "/unified");
        }
      else if (layout == HR_CGROUP_UNIFIED || (mnt = hr_cgroup_v1_mount (ctrls)) == NULL)
        continue; /* a hierarchy the host does not mount */
      host_dir = xasprintf ("%s%s", mnt, strcmp (path, "/") == 0 ? "" : path);
      mfd = hierarchy_mount (ctrls, host_dir, cgroupns, attrs, err);
      if (mfd < 0)
        return -1;
      if (layout == HR_CGROUP_UNIFIED)
        return attach (mfd, target, dest, err);
      /* runc names each directory after the host's mount point
         (cpu,cpuacct on Debian) and links the merged names. */
      dirname = strrchr (mnt, '/') + 1;
      if (mkdirat (tmpfd, dirname, 0755) < 0 && errno != EEXIST)
        return hr_error_set (err, errno, "mkdir cgroup/%s", dirname);
      dir = openat (tmpfd, dirname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dir < 0)
        return hr_error_set (err, errno, "open cgroup/%s", dirname);
      if (attach (mfd, dir, dirname, err) < 0)
        return -1;
      if (strchr (dirname, ','))
        {
          _cleanup_free_ char *copy = xstrdup (dirname);
          char *save = NULL;
          for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
            (void) symlinkat (dirname, tmpfd, c);
        }
    }
  if (layout == HR_CGROUP_UNIFIED)
    return hr_error_plain (err, ENOENT, "no cgroup2 hierarchy in /proc/self/cgroup");
  return 0;
}

int
hr_mount_cgroup (int rootfd, const struct hr_step *step, hr_err *err)
{
  const oci_mount *m = step->mount;
  bool cgroupns = (step->flags & HR_MOUNT_CGROUP_NS) != 0;
  uint64_t attrs = cgroup_mount_attrs (&step->opts);
  _cleanup_close_ int target = -1, mfd = -1;

  target = hr_create_in_root (rootfd, m->destination, false, err);
  if (target < 0)
    return -1;
  if (hr_cgroup_layout () == HR_CGROUP_UNIFIED)
    {
      if (mount_hierarchies (-1, target, m->destination, cgroupns, attrs, err) < 0)
        return hr_error_wrap (err, "mount cgroup on `%s`", m->destination);
      return 0;
    }

  /* v1 or hybrid: a tmpfs holding one mount per hierarchy (runc: mode=755
     and nosuid,nodev,noexec), made read-only once filled. */
  static const char *const tmpfs_opts[] = { "mode=755" };
  mfd = hr_new_fs_mount ("tmpfs", "tmpfs", tmpfs_opts, 1, CGROUP_MOUNT_ATTRS, err);
  if (mfd < 0)
    return -1;
  if (attach (mfd, target, m->destination, err) < 0)
    return -1;
  /* target is the directory under the tmpfs; reopen to get the tmpfs. */
  close (target);
  target = hr_open_in_root (rootfd, m->destination, O_PATH | O_DIRECTORY, err);
  if (target < 0)
    return -1;
  if (mount_hierarchies (target, -1, m->destination, cgroupns, attrs, err) < 0)
    return hr_error_wrap (err, "mount cgroup on `%s`", m->destination);
  if (attrs & MOUNT_ATTR_RDONLY)
    return hr_set_mount_attrs (mfd, MOUNT_ATTR_RDONLY, 0, 0, false, m->destination, err);
  return 0;
}

/* --no-pivot (runc's msMoveRoot): first detach the host's full procfs
   and sysfs mounts outside the rootfs, which chroot(2) would leave
   reachable in our mount namespace (and which would let the kernel's
   mnt_too_revealing check pass for mounts of proc/sysfs inside). */
static int
detach_host_proc_sys (int rootfd, hr_err *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  _cleanup_free_ char *line = NULL;
  char rootfs[4096], self[64];
  size_t cap = 0;
  ssize_t n;

  snprintf (self, sizeof (self), "/proc/self/fd/%d", rootfd);
  n = readlink (self, rootfs, sizeof (rootfs) - 1);
  if (n < 0)
    return hr_error_set (err, errno, "readlink rootfs");
  rootfs[n] = '\0';
  if (f == NULL)
    return hr_error_set (err, errno, "open /proc/self/mountinfo");
  while (getline (&line, &cap, f) > 0)
    {
      char root[4096], mp[4096], fstype[64];
      char *dash = strstr (line, " - ");
      size_t rl = strlen (rootfs);
      if (dash == NULL || sscanf (line, "%*u %*u %*s %4095s %4095s", root, mp) != 2
          || sscanf (dash, " - %63s", fstype) != 1)
        continue;
      unescape_octal (mp);
      if (strcmp (root, "/") != 0 || (strcmp (fstype, "proc") != 0 && strcmp (fstype, "sysfs") != 0))
        continue;
      if (strncmp (mp, rootfs, rl) == 0 && (mp[rl] == '/' || mp[rl] == '\0'))
        continue;
      /* Never let the unmount propagate to the host. */
      if (mount (NULL, mp, NULL, MS_SLAVE | MS_REC, NULL) < 0)
        {
          if (errno == ENOENT)
            continue;
          return hr_error_set (err, errno, "make `%s` rslave", mp);
        }
      if (umount2 (mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        return hr_error_set (err, errno, "unmount `%s`", mp);
    }
  return 0;
}

int
hr_pivot_root (int rootfd, uint64_t propagation, bool no_pivot, hr_err *err)
{
  if (fchdir (rootfd) < 0)
    return hr_error_set (err, errno, "chdir to rootfs");
  /* pivot_root(2) and MS_MOVE refuse a shared current root (its own
     parent): with rootfsPropagation "shared" it is; it goes away (or is
     covered) right after, so make it private just before. */
  if ((propagation & MS_SHARED) && mount (NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
    return hr_error_set (err, errno, "make / private");
  if (no_pivot)
    {
      if (detach_host_proc_sys (rootfd, err) < 0)
        return -1;
      if (move_mount (rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return hr_error_set (err, errno, "move rootfs to /");
      if (chroot (".") < 0)
        return hr_error_set (err, errno, "chroot");
    }
  else
    {
      /* pivot_root(".", ".") stacks the old root on top of the new one;
         detach it, after making it a slave so the unmount never propagates
         to the host (runc's pivotRoot).  "." must name the old root for
         that: fchdir to it first, or mount(".", MS_SLAVE|MS_REC) would
         hit the new root's tree and undo the container's own "shared"
         mounts. */
      _cleanup_close_ int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (oldroot < 0)
        return hr_error_set (err, errno, "open old root");
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return hr_error_set (err, errno, "pivot_root");
      if (fchdir (oldroot) < 0)
        return hr_error_set (err, errno, "chdir to old root");
      if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return hr_error_set (err, errno, "make old root rslave");
      if (umount2 (".", MNT_DETACH) < 0)
        return hr_error_set (err, errno, "unmount old root");
    }
  if (chdir ("/") < 0)
    return hr_error_set (err, errno, "chdir /");
  /* config-linux.md "Rootfs Mount Propagation" is about the container's
     root: the plan applies it to the new "/" once the last mount is made
     (STEP_ROOT_PROPAGATION_FINAL; runc applies it after pivot_root too). */
  return 0;
}

int
hr_chroot_rootfs (int rootfd, hr_err *err)
{
  if (fchdir (rootfd) < 0)
    return hr_error_set (err, errno, "chdir to rootfs");
  if (chroot (".") < 0)
    return hr_error_set (err, errno, "chroot to rootfs");
  if (chdir ("/") < 0)
    return hr_error_set (err, errno, "chdir /");
  return 0;
}

int
hr_mask_path (int rootfd, const char *path, hr_err *err)
{
  _cleanup_close_ int target = -1, mfd = -1, devnull = -1;
  hr_err e = NULL;
  struct stat st;

  target = hr_open_in_root (rootfd, path, O_PATH, &e);
  if (target < 0)
    {
      if (hr_error_errno (e) == ENOENT)
        {
          hr_error_free (&e);
          return 0; /* nothing to hide */
        }
      *err = e;
      return -1;
    }
  if (fstat (target, &st) < 0)
    return hr_error_set (err, errno, "stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      mfd = hr_new_fs_mount ("tmpfs", "tmpfs", NULL, 0, MOUNT_ATTR_RDONLY, err);
      if (mfd < 0)
        return -1;
      return attach (mfd, target, path, err);
    }
  /* A file is hidden under /dev/null.  The container's /dev/null must be
     the real device, not a symlink or a file the rootfs planted
     (CVE-2025-31133): check what we open. */
  devnull = hr_open_in_root (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, err);
  if (devnull < 0)
    return hr_error_wrap (err, "mask `%s`", path);
  if (fstat (devnull, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return hr_error_plain (err, EPERM, "mask `%s`: /dev/null in the container is not the null device", path);
  mfd = open_tree (devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (mfd < 0)
    return hr_error_set (err, errno, "mask `%s`: clone /dev/null", path);
  return attach (mfd, target, path, err);
}

int
hr_readonly_path (int rootfd, const char *path, hr_err *err)
{
  _cleanup_close_ int target = -1, mfd = -1;
  hr_err e = NULL;

  target = hr_open_in_root (rootfd, path, O_PATH, &e);
  if (target < 0)
    {
      if (hr_error_errno (e) == ENOENT)
        {
          hr_error_free (&e);
          return 0;
        }
      *err = e;
      return -1;
    }
  mfd = open_tree (target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (mfd < 0)
    return hr_error_set (err, errno, "readonly path `%s`: clone", path);
  if (hr_set_mount_attrs (mfd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, 0, true,
                 path, err) < 0)
    return -1;
  return attach (mfd, target, path, err);
}

int
hr_dev_readonly (int rootfd, hr_err *err)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  /* The mount on /dev alone, as runc's remount of it: /dev/pts, /dev/shm
     and /dev/mqueue keep their own options. */
  _cleanup_close_ int dev = hr_open_in_root (rootfd, "/dev", O_PATH | O_DIRECTORY, err);
  if (dev < 0)
    return hr_error_wrap (err, "make /dev read-only");
  if (mount_setattr (dev, "", AT_EMPTY_PATH, &a, sizeof (a)) < 0)
    return hr_error_set (err, errno, "make /dev read-only");
  return 0;
}

int
hr_root_readonly (int rootfd, hr_err *err)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  if (mount_setattr (rootfd, "", AT_EMPTY_PATH, &a, sizeof (a)) < 0)
    return hr_error_set (err, errno, "make root read-only");
  return 0;
}

int
hr_proc_write (int procfd, const char *rel, const char *value, hr_err *err)
{
  _cleanup_close_ int fd = openat (procfd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open /proc/%s", rel);
  if (hr_write_all (fd, value, strlen (value)) < 0)
    return hr_error_set (err, errno, "write `%s` to /proc/%s", value, rel);
  return 0;
}

int
hr_open_trusted_proc (hr_err *err)
{
  int mfd = hr_new_fs_mount ("proc", "proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
  if (mfd >= 0)
    return mfd;
  /* Without CAP_SYS_ADMIN over our mount and pid namespaces (a rootless
     exec: only the container's user namespace is ours) no procfs can be
     made.  The runtime's own /proc is the next most trusted one: it is
     called before anything of the container's mount namespace is joined
     or made, so no path of the rootfs can stand in for it; it must be the
     root of a procfs all the same. */
  if (hr_error_errno (*err) == EPERM)
    {
      _cleanup_close_ int fd = open ("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      struct statfs sfs;
      struct stat st;
      if (fd >= 0 && fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && fstat (fd, &st) == 0
          && st.st_ino == 1)
        {
          hr_error_free (err);
          return TAKE_FD (fd);
        }
    }
  return hr_error_wrap (err, "open trusted procfs");
}
