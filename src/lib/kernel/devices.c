/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/devices.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct
{
  const char *name;
  unsigned major, minor;
} default_devices[] = {
  { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* Make name in dirfd (resolved inside the rootfs) as the given node.  A
   rootfs may ship its own entry there, possibly a symlink to a host path:
   it is removed first, without following it. */
static int
make_node (int dirfd, const char *name, const char *shown, mode_t mode, dev_t rdev, uid_t uid, gid_t gid,
           hr_err *err)
{
  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
    return hr_error_set (err, errno, "remove existing `%s`", shown);
  if (mknodat (dirfd, name, mode, rdev) == 0)
    {
      /* mknod is subject to the umask; the spec asks for the exact mode. */
      _cleanup_close_ int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      char proc[64];
      if (fd < 0)
        return hr_error_set (err, errno, "open `%s`", shown);
      snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
      if (fchownat (fd, "", uid, gid, AT_EMPTY_PATH) < 0)
        return hr_error_set (err, errno, "chown `%s`", shown);
      if (chmod (proc, mode & 07777) < 0)
        return hr_error_set (err, errno, "chmod `%s`", shown);
      return 0;
    }
  if (errno != EPERM || S_ISFIFO (mode))
    return hr_error_set (err, errno, "mknod `%s`", shown);

  /* No mknod here (a user namespace): bind the host's node instead. */
  _cleanup_close_ int target = -1, mfd = -1;
  target = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
  if (target < 0)
    return hr_error_set (err, errno, "create `%s`", shown);
  mfd = open_tree (AT_FDCWD, shown, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (mfd < 0)
    return hr_error_set (err, errno, "bind host `%s`", shown);
  if (move_mount (mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "bind host `%s`", shown);
  return 0;
}

int
hr_default_devices (int rootfd, hr_err *err)
{
  _cleanup_close_ int dev = hr_create_in_root (rootfd, "/dev", false, err);
  if (dev < 0)
    return -1;
  for (size_t i = 0; i < sizeof (default_devices) / sizeof (default_devices[0]); i++)
    {
      char shown[32];
      snprintf (shown, sizeof (shown), "/dev/%s", default_devices[i].name);
      if (make_node (dev, default_devices[i].name, shown, S_IFCHR | 0666,
                     makedev (default_devices[i].major, default_devices[i].minor), 0, 0, err) < 0)
        return -1;
    }
  return 0;
}

int
hr_create_device (int rootfd, const oci_linux_device *d, hr_err *err)
{
  _cleanup_free_ char *parent = xstrdup (d->path);
  _cleanup_close_ int dirfd = -1;
  char *slash = strrchr (parent, '/');
  const char *name;
  mode_t type;

  switch (d->type_present ? d->type : -1)
    {
    case OCI_DEVICE_TYPE_CHAR:
    case OCI_DEVICE_TYPE_UNBUFFERED:
      type = S_IFCHR;
      break;
    case OCI_DEVICE_TYPE_BLOCK:
      type = S_IFBLK;
      break;
    case OCI_DEVICE_TYPE_FIFO:
      type = S_IFIFO;
      break;
    default:
      return hr_error_plain (err, EINVAL, "device `%s`: invalid type", d->path);
    }
  name = slash + 1;
  if (*name == '\0')
    return hr_error_plain (err, EINVAL, "device `%s`: invalid path", d->path);
  *slash = '\0';
  dirfd = hr_create_in_root (rootfd, *parent ? parent : "/", false, err);
  if (dirfd < 0)
    return -1;
  return make_node (dirfd, name, d->path, type | (d->file_mode_present ? (d->file_mode & 07777) : 0666),
                    type == S_IFIFO ? 0 : makedev (d->major, d->minor), d->uid_present ? d->uid : 0,
                    d->gid_present ? d->gid : 0, err);
}

int
hr_dev_symlinks (int rootfd, hr_err *err)
{
  static const struct
  {
    const char *target, *name;
  } links[] = {
    { "/proc/self/fd", "fd" },          { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" },    { "pts/ptmx", "ptmx" },
  };
  _cleanup_close_ int dev = hr_create_in_root (rootfd, "/dev", false, err);
  if (dev < 0)
    return -1;
  for (size_t i = 0; i < sizeof (links) / sizeof (links[0]); i++)
    if (symlinkat (links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      return hr_error_set (err, errno, "symlink /dev/%s", links[i].name);
  if (access ("/proc/kcore", F_OK) == 0 && symlinkat ("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "symlink /dev/core");
  return 0;
}

int
hr_reopen_dev_null (hr_err *err)
{
  _cleanup_close_ int fd = -1;
  struct stat null_st, st;

  /* "/" is the container's root now; O_NOFOLLOW and the checks below:
     the rootfs may have planted anything at /dev/null. */
  fd = open ("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  if (fstat (fd, &null_st) < 0 || !S_ISCHR (null_st.st_mode) || null_st.st_rdev != makedev (1, 3))
    return 0;
  for (int i = 0; i < 3; i++)
    {
      if (fstat (i, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != null_st.st_rdev
          || (st.st_dev == null_st.st_dev && st.st_ino == null_st.st_ino))
        continue;
      /* By name again (procfs may not be mounted), so checked to be the
         node examined above: nothing else of the container runs yet. */
      int flags = fcntl (i, F_GETFL);
      int nfd = open ("/dev/null", (flags >= 0 ? flags & O_ACCMODE : O_RDWR) | O_NOFOLLOW | O_CLOEXEC);
      struct stat again;
      if (nfd >= 0 && (fstat (nfd, &again) < 0 || again.st_dev != null_st.st_dev || again.st_ino != null_st.st_ino))
        {
          close (nfd);
          return 0;
        }
      if (nfd < 0)
        return hr_error_set (err, errno, "reopen /dev/null for fd %d", i);
      if (dup3 (nfd, i, 0) < 0)
        {
          int e = errno;
          close (nfd);
          return hr_error_set (err, e, "reopen /dev/null for fd %d", i);
        }
      close (nfd);
    }
  return 0;
}
