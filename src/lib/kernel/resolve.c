/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/resolve.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
sys_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = { .flags = (unsigned long long) (flags | O_CLOEXEC), .resolve = resolve };
  if (flags & O_CREAT)
    how.mode = 0644;
  return (int) syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
}

static int
open_in_root (int rootfd, const char *path, int flags, bool no_symlinks, hr_err *err)
{
  int fd;

  do
    fd = sys_openat2 (rootfd, path, flags,
                      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0));
  while (fd < 0 && errno == EAGAIN);
  if (fd >= 0)
    return fd;
  /* No userspace walk as a fallback: openat2 (5.6) is older than
     mount_setattr (5.12), which the runtime needs anyway, so only a
     seccomp profile around the runtime can hide it, and a hand-written
     walk is where the rootfs escapes of CVE-2019-19921/CVE-2021-30465
     lived.  Say what is missing instead. */
  if (errno == ENOSYS)
    return hr_error_plain (err, ENOSYS,
                           "open `%s` in rootfs: openat2(2) is not available (ENOSYS): "
                           "hydra-runc needs Linux 5.12 or newer, and no seccomp filter "
                           "around the runtime that denies openat2", path);
  return hr_error_set (err, errno, "open `%s` in rootfs", path);
}

int
hr_open_in_root (int rootfd, const char *path, int flags, hr_err *err)
{
  return open_in_root (rootfd, path, flags, false, err);
}

int
hr_open_in_root_nosymlinks (int rootfd, const char *path, int flags, hr_err *err)
{
  return open_in_root (rootfd, path, flags, true, err);
}

/* A path's resolution state for hr_create_in_root: the fds of the
   directories walked so far, root first.  ".." pops (never the root), so
   the walk cannot climb out of the rootfs whatever the path or the
   symlinks in it say (CVE-2019-18837, CVE-2021-30465). */
struct walk_stack
{
  int *fds;
  size_t len, cap;
};

static void
stack_clear (struct walk_stack *s, size_t keep)
{
  while (s->len > keep)
    close (s->fds[--s->len]);
}

static void
stack_push (struct walk_stack *s, int fd)
{
  if (s->len == s->cap)
    {
      s->cap = s->cap ? 2 * s->cap : 16;
      s->fds = xrealloc (s->fds, s->cap * sizeof (int));
    }
  s->fds[s->len++] = fd;
}

static void
stack_freep (struct walk_stack *s)
{
  stack_clear (s, 0);
  free (s->fds);
}

/* A symlink on procfs (or nsfs) may be a magic link: its target is not a
   path but a kernel object, possibly outside the rootfs (/proc/self/root,
   /proc/<pid>/cwd, /proc/self/fd/N).  openat2 refuses those with
   RESOLVE_NO_MAGICLINKS; the walk does the same. */
static bool
on_magic_fs (int fd)
{
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0)
    return true;
  return sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == NSFS_MAGIC;
}

int
hr_create_in_root (int rootfd, const char *path, bool as_file, hr_err *err)
{
  _cleanup_ (stack_freep) struct walk_stack stack = { 0 };
  _cleanup_free_ char *todo = xstrdup (path);
  char *rest = todo;
  int links = 0, fd;

  /* Fast path: everything exists. */
  {
    hr_err e = NULL;
    fd = hr_open_in_root (rootfd, path, O_PATH, &e);
    if (fd >= 0)
      return fd;
    if (hr_error_errno (e) != ENOENT)
      {
        *err = e;
        return -1;
      }
    hr_error_free (&e);
  }

  /* Walk the path one component at a time, creating what is missing, as
     runc's SecureJoin + MkdirAll do but on fds: each component is opened
     with O_NOFOLLOW relative to the fd of its parent; a symlink (planted
     in the rootfs, in a volume, or swapped in while we walk: CVE-2024-45310)
     is read and resolved from the rootfs (absolute target) or from its
     directory (relative), never from the host's /.  A dangling symlink
     thus creates its target inside the rootfs. */
  fd = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open rootfs");
  stack_push (&stack, fd);
  for (;;)
    {
      char *comp, *slash;
      struct stat st;
      bool last;
      int cur = stack.fds[stack.len - 1], next;

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
      /* Last component: nothing but slashes follows. */
      last = rest[strspn (rest, "/")] == '\0';
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (stack.len > 1)
            stack_clear (&stack, stack.len - 1);
          continue;
        }

      next = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT)
        {
          int r;
          if (last && as_file)
            {
              r = openat (cur, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
              if (r >= 0)
                close (r);
            }
          else
            r = mkdirat (cur, comp, 0755);
          if (r < 0 && errno != EEXIST)
            return hr_error_set (err, errno, "%s `%s` in rootfs", last && as_file ? "create" : "mkdir", path);
          /* Whatever is there now (ours, or a symlink raced in) is
             looked at like any other component. */
          next = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        return hr_error_set (err, errno, "open `%s` in rootfs", path);
      if (fstat (next, &st) < 0)
        {
          int e = errno;
          close (next);
          return hr_error_set (err, e, "stat `%s` in rootfs", path);
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n;

          if (on_magic_fs (next))
            {
              close (next);
              return hr_error_plain (err, ELOOP, "`%s` in rootfs: refusing to follow a magic link at `%s`", path,
                                     comp);
            }
          n = readlinkat (next, "", target, sizeof (target) - 1);
          close (next);
          if (n < 0)
            return hr_error_set (err, errno, "readlink `%s` in rootfs", path);
          if (++links > 40)
            return hr_error_set (err, ELOOP, "resolve `%s` in rootfs", path);
          target[n] = '\0';
          char *joined = xasprintf ("%s/%s", target, rest);
          free (todo);
          todo = joined;
          rest = todo;
          if (target[0] == '/')
            stack_clear (&stack, 1);
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        {
          close (next);
          return hr_error_set (err, ENOTDIR, "`%s` in rootfs", path);
        }
      stack_push (&stack, next);
    }
  fd = stack.fds[--stack.len];
  return fd;
}
