/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "sandbox/blocked.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rootfs is hostile: bound the walk (a deep tree of bind mounts or a
   huge /usr/lib must not hang create). */
#define MAX_DEPTH 32
#define MAX_FILES 1000000

struct seen_file
{
  uint64_t dev, ino;
  bool blocked;  /* reached by a blocked name */
};

struct scan
{
  int rootfd;
  char *const *names;
  size_t n_names;
  struct seen_file *files;
  size_t n_files, cap_files;
  uint64_t (*dirs)[2];  /* directories walked (dev, ino): each once */
  size_t n_dirs, cap_dirs;
};

static bool
name_blocked (const struct scan *s, const char *name)
{
  for (size_t i = 0; i < s->n_names; i++)
    if (strcmp (s->names[i], name) == 0)
      return true;
  return false;
}

static bool
dir_seen (struct scan *s, const struct stat *st)
{
  for (size_t i = 0; i < s->n_dirs; i++)
    if (s->dirs[i][0] == (uint64_t) st->st_dev && s->dirs[i][1] == (uint64_t) st->st_ino)
      return true;
  if (s->n_dirs == s->cap_dirs)
    {
      s->cap_dirs = s->cap_dirs ? 2 * s->cap_dirs : 64;
      s->dirs = xrealloc (s->dirs, s->cap_dirs * sizeof (*s->dirs));
    }
  s->dirs[s->n_dirs][0] = st->st_dev;
  s->dirs[s->n_dirs][1] = st->st_ino;
  s->n_dirs++;
  return false;
}

static int
add_file (struct scan *s, const struct stat *st, const char *name, hr_err *err)
{
  if (s->n_files >= MAX_FILES)
    return hr_error_plain (err, E2BIG, "blocked_commands: more than %d files in executable_paths", MAX_FILES);
  if (s->n_files == s->cap_files)
    {
      s->cap_files = s->cap_files ? 2 * s->cap_files : 256;
      s->files = xrealloc (s->files, s->cap_files * sizeof (*s->files));
    }
  s->files[s->n_files++] = (struct seen_file){ .dev = st->st_dev, .ino = st->st_ino, .blocked = name_blocked (s, name) };
  return 0;
}

/* dirfd: an open directory of the tree, `path` its path in the root. */
static int
walk (struct scan *s, int dirfd, const char *path, int depth, hr_err *err)
{
  if (depth > MAX_DEPTH)
    return 0;
  int fd = dup (dirfd);
  if (fd < 0)
    return hr_error_set (err, errno, "dup");
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return hr_error_set (err, errno, "read directory `%s` in rootfs", path);
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* never follows: a symlink is resolved below, inside the root */
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      _cleanup_free_ char *sub = xasprintf ("%s/%s", strcmp (path, "/") == 0 ? "" : path, de->d_name);
      if (S_ISDIR (st.st_mode))
        {
          if (dir_seen (s, &st))
            continue;
          _cleanup_close_ int subfd = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (subfd >= 0 && walk (s, subfd, sub, depth + 1, err) < 0)
            return -1;
        }
      else if (S_ISLNK (st.st_mode))
        {
          /* /bin/nc -> busybox, or an absolute target: resolved as the
             container would, never on the host */
          hr_err ignored = NULL;
          _cleanup_close_ int target = hr_open_in_root (s->rootfd, sub, O_PATH, &ignored);
          hr_error_free (&ignored);
          if (target >= 0 && fstat (target, &st) == 0 && S_ISREG (st.st_mode) && add_file (s, &st, de->d_name, err) < 0)
            return -1;
        }
      else if (S_ISREG (st.st_mode) && add_file (s, &st, de->d_name, err) < 0)
        return -1;
    }
  if (errno != 0)
    return hr_error_set (err, errno, "read directory `%s` in rootfs", path);
  return 0;
}

int
hr_blocked_scan (int rootfd, char *const *paths, size_t n_paths, char *const *names, size_t n_names,
                 struct hr_blocked_exe **out, size_t *n_out, hr_err *err)
{
  struct scan s = { .rootfd = rootfd, .names = names, .n_names = n_names };
  int ret = -1;

  *out = NULL;
  *n_out = 0;
  if (n_names == 0)
    return 0;
  for (size_t i = 0; i < n_paths; i++)
    {
      hr_err e = NULL;
      struct stat st;
      _cleanup_close_ int fd = hr_open_in_root (rootfd, paths[i], O_RDONLY | O_DIRECTORY, &e);
      if (fd < 0)
        {
          /* a tree the image does not have (/usr/local/bin) */
          if (hr_error_errno (e) == ENOENT || hr_error_errno (e) == ENOTDIR)
            {
              hr_error_free (&e);
              continue;
            }
          *err = e;
          hr_error_wrap (err, "blocked_commands: scan executable path `%s`", paths[i]);
          goto out;
        }
      if (fstat (fd, &st) < 0)
        {
          hr_error_set (err, errno, "fstat `%s` in rootfs", paths[i]);
          goto out;
        }
      if (dir_seen (&s, &st))
        continue; /* /lib -> usr/lib on a merged-/usr image */
      if (walk (&s, fd, paths[i], 0, err) < 0)
        {
          hr_error_wrap (err, "blocked_commands: scan executable path `%s`", paths[i]);
          goto out;
        }
    }

  for (size_t i = 0; i < s.n_files; i++)
    {
      if (!s.files[i].blocked)
        continue;
      bool dup = false, multicall = false;
      for (size_t j = 0; j < *n_out; j++)
        dup |= (*out)[j].dev == s.files[i].dev && (*out)[j].ino == s.files[i].ino;
      if (dup)
        continue;
      for (size_t j = 0; j < s.n_files; j++)
        multicall |= !s.files[j].blocked && s.files[j].dev == s.files[i].dev && s.files[j].ino == s.files[i].ino;
      *out = xrealloc (*out, (*n_out + 1) * sizeof (**out));
      (*out)[(*n_out)++] = (struct hr_blocked_exe){ .dev = s.files[i].dev, .ino = s.files[i].ino, .multicall = multicall };
    }
  ret = 0;
out:
  if (ret < 0)
    {
      free (*out);
      *out = NULL;
      *n_out = 0;
    }
  free (s.files);
  free (s.dirs);
  return ret;
}

int
hr_blocked_scan_policy (int rootfd, const struct hr_policy *p, struct hr_blocked_exe **out, size_t *n_out, hr_err *err)
{
  return hr_blocked_scan (rootfd, p->exec_paths, p->n_exec, p->blocked, p->n_blocked, out, n_out, err);
}
