/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "resolve.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int openat2_missing;

static int
sys_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = { .flags = (unsigned long long) (flags | O_CLOEXEC), .resolve = resolve };
  if (flags & O_CREAT)
    how.mode = 0644;
  return (int) syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
}

/* Fallback for kernels without openat2: walk one component at a time with
   O_NOFOLLOW, and when a component is a symlink read it and continue from
   the rootfs (absolute target) or the current directory (relative), never
   above the rootfs.  At most 40 links, like the kernel. */
static int
walk_in_root (int rootfd, const char *path, int flags, hr_err *err)
{
  _cleanup_free_ char *todo = xstrdup (path);
  _cleanup_close_ int cur = -1;
  int links = 0;
  char *rest;

  cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return hr_error_set (err, errno, "open rootfs");
  rest = todo;
  for (;;)
    {
      char *comp, *slash;
      int next;

      while (*rest == '/')
        rest++;
      if (*rest == '\0')
        break;
      comp = rest;
      slash = strchr (rest, '/');
      if (slash)
        {
          *slash = '\0';
          rest = slash + 1;
        }
      else
        rest = comp + strlen (comp);
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          struct stat a, b;
          /* Never above the rootfs. */
          if (fstat (cur, &a) == 0 && fstat (rootfd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            continue;
        }
      next = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return hr_error_set (err, errno, "open `%s` in rootfs", path);
      struct stat st;
      if (fstat (next, &st) == 0 && S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (next, "", target, sizeof (target) - 1);
          close (next);
          if (n < 0 || ++links > 40)
            return hr_error_set (err, n < 0 ? errno : ELOOP, "resolve `%s` in rootfs", path);
          target[n] = '\0';
          char *joined = xasprintf ("%s/%s", target, rest);
          free (todo);
          todo = joined;
          rest = todo;
          if (target[0] == '/')
            {
              close (cur);
              cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (cur < 0)
                return hr_error_set (err, errno, "open rootfs");
            }
          continue;
        }
      close (cur);
      cur = next;
    }
  if (flags & O_PATH)
    return TAKE_FD (cur);
  /* Reopen the resolved file with the real flags through its fd. */
  char proc[64];
  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", cur);
  int fd = open (proc, flags | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open `%s` in rootfs", path);
  return fd;
}

int
hr_open_in_root (int rootfd, const char *path, int flags, hr_err *err)
{
  int fd;

  if (!openat2_missing)
    {
      do
        fd = sys_openat2 (rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      while (fd < 0 && errno == EAGAIN);
      if (fd >= 0)
        return fd;
      if (errno != ENOSYS)
        return hr_error_set (err, errno, "open `%s` in rootfs", path);
      openat2_missing = 1;
    }
  return walk_in_root (rootfd, path, flags, err);
}

int
hr_create_in_root (int rootfd, const char *path, bool as_file, hr_err *err)
{
  _cleanup_free_ char *p = xstrdup (path);
  _cleanup_close_ int parent = -1;
  hr_err e = NULL;
  char *last, *end;
  int fd;

  fd = hr_open_in_root (rootfd, path, O_PATH, &e);
  if (fd >= 0)
    return fd;
  if (hr_error_errno (e) != ENOENT)
    {
      *err = e;
      return -1;
    }
  hr_error_free (&e);

  /* Strip trailing slashes, split off the last component. */
  end = p + strlen (p);
  while (end > p + 1 && end[-1] == '/')
    *--end = '\0';
  last = strrchr (p, '/');
  if (last == NULL || last[1] == '\0')
    return hr_error_plain (err, EINVAL, "invalid path `%s`", path);
  *last = '\0';
  parent = hr_create_in_root (rootfd, *p ? p : "/", false, err);
  if (parent < 0)
    return -1;
  last++;
  if (strcmp (last, "..") == 0 || strcmp (last, ".") == 0)
    return hr_error_plain (err, EINVAL, "invalid path `%s`", path);

  /* The parent fd was resolved inside the rootfs; create the child in it
     without following anything, then open what we made with O_NOFOLLOW: a
     symlink swapped in meanwhile fails instead of being followed. */
  if (as_file)
    {
      fd = openat (parent, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        return hr_error_set (err, errno, "create `%s` in rootfs", path);
      if (fd >= 0)
        close (fd);
    }
  else if (mkdirat (parent, last, 0755) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "mkdir `%s` in rootfs", path);

  fd = openat (parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC | (as_file ? 0 : O_DIRECTORY));
  if (fd < 0)
    return hr_error_set (err, errno, "open `%s` in rootfs", path);
  return fd;
}
