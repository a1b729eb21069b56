/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "mounts.h"
#include "cleanup.h"
#include "resolve.h"
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

int
hr_mount_bind_rootfs (const char *rootfs, hr_err *err)
{
  int fd;
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

/* A new, detached mount of fstype configured with options. */
static int
new_fs_mount (const char *fstype, const char *source, const char *const *options, size_t n, uint64_t attrs,
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

static int
set_attrs (int mfd, uint64_t set, uint64_t clr, uint64_t propagation, bool recursive, const char *dest,
           hr_err *err)
{
  struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = propagation };
  if (set == 0 && clr == 0 && propagation == 0)
    return 0;
  if (mount_setattr (mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof (a)) < 0)
    return hr_error_set (err, errno, "set attributes of `%s`", dest);
  return 0;
}

int
hr_mount_step (int rootfd, const struct hr_step *step, hr_err *err)
{
  const oci_mount *m = step->mount;
  const struct hr_mount_opts *o = &step->opts;
  _cleanup_close_ int mfd = -1, target = -1;
  bool as_file = false;

  if (o->bind)
    {
      struct stat st;
      /* Bind sources are host paths named by the trusted config. */
      mfd = open_tree (AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rbind ? AT_RECURSIVE : 0));
      if (mfd < 0)
        return hr_error_set (err, errno, "bind mount source `%s`", m->source);
      if (fstat (mfd, &st) < 0)
        return hr_error_set (err, errno, "stat `%s`", m->source);
      as_file = !S_ISDIR (st.st_mode);
      if (set_attrs (mfd, o->attr_set, o->attr_clear, 0, o->attr_recursive, m->destination, err) < 0)
        return -1;
    }
  else
    {
      mfd = new_fs_mount (m->type, m->source ? m->source : m->type, o->fs_options, o->fs_options_len,
                          hr_mount_opts_apply (o, 0), err);
      if (mfd < 0)
        return hr_error_wrap (err, "mount %s on `%s`", m->type, m->destination);
    }

  target = hr_create_in_root (rootfd, m->destination, as_file, err);
  if (target < 0)
    return -1;
  if (attach (mfd, target, m->destination, err) < 0)
    return -1;
  if (o->propagation && set_attrs (mfd, 0, 0, o->propagation, o->propagation_recursive, m->destination, err) < 0)
    return -1;
  return 0;
}

/* /proc/self/cgroup of the runtime: "N:controllers:path" per v1
   hierarchy, "0::path" for the unified one. */
static int
mount_v1_hierarchies (int tmpfd, uint64_t attrs, hr_err *err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return hr_error_set (err, errno, "open /proc/self/cgroup");
  while (getline (&line, &cap, f) > 0)
    {
      char *ctrls = strchr (line, ':'), *end;
      _cleanup_close_ int mfd = -1, dir = -1;
      const char *opts[16];
      size_t n = 0;
      const char *fstype = "cgroup", *dirname;

      if (ctrls == NULL || (end = strchr (++ctrls, ':')) == NULL)
        continue;
      *end = '\0';
      if (*ctrls == '\0')
        {
          /* The unified hierarchy of a hybrid host. */
          struct statfs sfs;
          if (statfs ("/sys/fs/cgroup/unified", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
            continue;
          fstype = "cgroup2";
          dirname = "unified";
        }
      else
        {
          dirname = str_has_prefix (ctrls, "name=") ? ctrls + 5 : ctrls;
          if (str_has_prefix (ctrls, "name="))
            opts[n++] = "none";
          _cleanup_free_ char *copy = xstrdup (ctrls);
          char *save = NULL;
          for (char *c = strtok_r (copy, ",", &save); c && n < 15; c = strtok_r (NULL, ",", &save))
            opts[n++] = c;
          mfd = new_fs_mount (fstype, "cgroup", opts, n, attrs, err);
          if (mfd < 0)
            return -1;
        }
      if (mfd < 0)
        {
          mfd = new_fs_mount (fstype, "cgroup2", NULL, 0, attrs, err);
          if (mfd < 0)
            return -1;
        }
      if (mkdirat (tmpfd, dirname, 0755) < 0 && errno != EEXIST)
        return hr_error_set (err, errno, "mkdir cgroup/%s", dirname);
      dir = openat (tmpfd, dirname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dir < 0)
        return hr_error_set (err, errno, "open cgroup/%s", dirname);
      if (attach (mfd, dir, dirname, err) < 0)
        return -1;
      /* cpu,cpuacct is also reachable as cpu and cpuacct. */
      if (strchr (dirname, ','))
        {
          _cleanup_free_ char *copy = xstrdup (dirname);
          char *save = NULL;
          for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
            (void) symlinkat (dirname, tmpfd, c);
        }
    }
  return 0;
}

int
hr_mount_cgroup (int rootfd, const struct hr_step *step, hr_err *err)
{
  const oci_mount *m = step->mount;
  uint64_t attrs = hr_mount_opts_apply (&step->opts, 0);
  _cleanup_close_ int target = -1, mfd = -1;
  struct statfs sfs;

  target = hr_create_in_root (rootfd, m->destination, false, err);
  if (target < 0)
    return -1;
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      mfd = new_fs_mount ("cgroup2", "cgroup2", NULL, 0, attrs, err);
      if (mfd < 0)
        return -1;
      return attach (mfd, target, m->destination, err);
    }

  /* v1 or hybrid: a tmpfs holding one mount per hierarchy, as the host
     has them; made read-only (when asked) once filled. */
  static const char *const tmpfs_opts[] = { "mode=755" };
  mfd = new_fs_mount ("tmpfs", "tmpfs", tmpfs_opts, 1, attrs & ~(uint64_t) MOUNT_ATTR_RDONLY, err);
  if (mfd < 0)
    return -1;
  if (attach (mfd, target, m->destination, err) < 0)
    return -1;
  /* target is the directory under the tmpfs; reopen to get the tmpfs. */
  close (target);
  target = hr_open_in_root (rootfd, m->destination, O_PATH | O_DIRECTORY, err);
  if (target < 0)
    return -1;
  if (mount_v1_hierarchies (target, attrs, err) < 0)
    return hr_error_wrap (err, "mount cgroup on `%s`", m->destination);
  if (attrs & MOUNT_ATTR_RDONLY)
    return set_attrs (mfd, MOUNT_ATTR_RDONLY, 0, 0, false, m->destination, err);
  return 0;
}

int
hr_pivot_root (int rootfd, hr_err *err)
{
  if (fchdir (rootfd) < 0)
    return hr_error_set (err, errno, "chdir to rootfs");
  /* pivot_root(".", ".") stacks the old root on top of the new one; detach
     it, after making it a slave so the unmount never propagates to the
     host (runc's pivotRoot). */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return hr_error_set (err, errno, "pivot_root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return hr_error_set (err, errno, "make old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return hr_error_set (err, errno, "unmount old root");
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
      mfd = new_fs_mount ("tmpfs", "tmpfs", NULL, 0, MOUNT_ATTR_RDONLY, err);
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
  if (set_attrs (mfd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, 0, true,
                 path, err) < 0)
    return -1;
  return attach (mfd, target, path, err);
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
hr_open_trusted_proc (hr_err *err)
{
  int mfd = new_fs_mount ("proc", "proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
  if (mfd < 0)
    return hr_error_wrap (err, "open trusted procfs");
  return mfd;
}
