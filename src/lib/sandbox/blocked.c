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
  bool link;     /* through a symlink, not the directory entry of the file itself */
};

struct scan
{
  int rootfd;
  char *const *names;
  size_t n_names;
  struct seen_file *files;
  size_t n_files, cap_files;
  uint64_t (*dirs)[2];  /* open-addressing set of the directories walked (dev, ino + 1) */
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

/* Each directory once: a tree listed twice (/usr and /usr/bin), or twice
   reached (/lib -> usr/lib), must not count its files twice. */
static bool
dir_seen (struct scan *s, const struct stat *st)
{
  if (2 * (s->n_dirs + 1) > s->cap_dirs)
    {
      uint64_t (*old)[2] = s->dirs;
      size_t old_cap = s->cap_dirs;
      s->cap_dirs = old_cap ? 2 * old_cap : 1024;
      s->dirs = xmalloc0 (s->cap_dirs * sizeof (*s->dirs));
      s->n_dirs = 0;
      for (size_t i = 0; i < old_cap; i++)
        if (old[i][1])
          {
            struct stat o = { .st_dev = old[i][0], .st_ino = old[i][1] - 1 };
            dir_seen (s, &o);
          }
      free (old);
    }
  uint64_t dev = st->st_dev, ino = (uint64_t) st->st_ino + 1;
  size_t h = (size_t) ((dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL)) & (s->cap_dirs - 1);
  for (; s->dirs[h][1]; h = (h + 1) & (s->cap_dirs - 1))
    if (s->dirs[h][0] == dev && s->dirs[h][1] == ino)
      return true;
  s->dirs[h][0] = dev;
  s->dirs[h][1] = ino;
  s->n_dirs++;
  return false;
}

static int
add_file (struct scan *s, uint64_t dev, uint64_t ino, const char *name, bool link, hr_err *err)
{
  if (s->n_files >= MAX_FILES)
    return hr_error_plain (err, E2BIG, "blocked_commands: more than %d files in executable_paths", MAX_FILES);
  if (s->n_files == s->cap_files)
    {
      s->cap_files = s->cap_files ? 2 * s->cap_files : 256;
      s->files = xrealloc (s->files, s->cap_files * sizeof (*s->files));
    }
  s->files[s->n_files++]
    = (struct seen_file){ .dev = dev, .ino = ino, .blocked = name_blocked (s, name), .link = link };
  return 0;
}

/* dirfd: an open directory of the tree, `path` its path in the root.
   A regular file's identity is the directory's device and the entry's
   d_ino, without a stat: only a file bind-mounted over another differs,
   and bind mounts come from the config, not the (hostile) rootfs; an
   entry with a blocked name is stat'ed all the same. */
static int
walk (struct scan *s, int dirfd, const char *path, int depth, hr_err *err)
{
  struct stat dst;
  if (depth > MAX_DEPTH)
    return 0;
  if (fstat (dirfd, &dst) < 0)
    return hr_error_set (err, errno, "fstat `%s` in rootfs", path);
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open directory `%s` in rootfs", path);
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
      unsigned type = de->d_type;
      bool blocked = name_blocked (s, de->d_name);
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (type == DT_UNKNOWN || type == DT_DIR || (type == DT_REG && blocked))
        {
          /* never follows: a symlink is resolved below, inside the root */
          if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
          type = S_ISDIR (st.st_mode) ? DT_DIR : S_ISLNK (st.st_mode) ? DT_LNK : S_ISREG (st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
      else
        {
          st.st_dev = dst.st_dev;
          st.st_ino = de->d_ino;
        }
      if (type == DT_DIR)
        {
          if (dir_seen (s, &st))
            continue;
          _cleanup_free_ char *sub = xasprintf ("%s/%s", strcmp (path, "/") == 0 ? "" : path, de->d_name);
          _cleanup_close_ int subfd = openat (dirfd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (subfd >= 0 && walk (s, subfd, sub, depth + 1, err) < 0)
            return -1;
        }
      else if (type == DT_LNK)
        {
          /* /bin/nc -> busybox, or an absolute target: resolved as the
             container would, never on the host */
          _cleanup_free_ char *sub = xasprintf ("%s/%s", strcmp (path, "/") == 0 ? "" : path, de->d_name);
          hr_err ignored = NULL;
          _cleanup_close_ int target = hr_open_in_root (s->rootfd, sub, O_PATH, &ignored);
          hr_error_free (&ignored);
          if (target >= 0 && fstat (target, &st) == 0 && S_ISREG (st.st_mode)
              && add_file (s, st.st_dev, st.st_ino, de->d_name, true, err) < 0)
            return -1;
        }
      else if (type == DT_REG && add_file (s, st.st_dev, st.st_ino, de->d_name, false, err) < 0)
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
      _cleanup_close_ int fd = hr_open_in_root (rootfd, paths[i], O_PATH | O_DIRECTORY, &e);
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
      bool dup = false;
      for (size_t j = 0; j < *n_out; j++)
        dup |= (*out)[j].dev == s.files[i].dev && (*out)[j].ino == s.files[i].ino;
      if (dup)
        continue;
      /* Multi-call: another command is reached through it.  Its own
         directory entry is no other command: Debian's /bin/nc is a
         symlink to nc.openbsd, which is nc all the same and stays
         excluded; busybox is reached as sh, ls... through symlinks, or as
         several hard links. */
      size_t other_links = 0, other_entries = 0;
      for (size_t j = 0; j < s.n_files; j++)
        if (!s.files[j].blocked && s.files[j].dev == s.files[i].dev && s.files[j].ino == s.files[i].ino)
          {
            if (s.files[j].link)
              other_links++;
            else
              other_entries++;
          }
      bool multicall = other_links > 0 || other_entries > 1;
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
