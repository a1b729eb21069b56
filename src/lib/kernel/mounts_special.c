/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount features that need more than one mount call: idmapped mounts
 * (runtime-spec config.md "Mounts" uidMappings/gidMappings and the
 * idmap/ridmap options, mount_setattr(2) MOUNT_ATTR_IDMAP) and "tmpcopyup".
 */
#include <config.h>
#include "kernel/mounts_internal.h"
#include "kernel/mounts.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int
write_map (int procfd, pid_t pid, const char *file, oci_id_mapping *const *maps, size_t n, hr_err *err)
{
  _cleanup_free_ char *rel = xasprintf ("%d/%s", (int) pid, file);
  _cleanup_free_ char *buf = NULL;
  _cleanup_close_ int fd = -1;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  if (f == NULL)
    return hr_error_set (err, errno, "idmapped mount: %s", file);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%u %u %u\n", (unsigned) maps[i]->container_id, (unsigned) maps[i]->host_id,
             (unsigned) maps[i]->size);
  fclose (f);
  fd = openat (procfd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "idmapped mount: open %s", file);
  /* The kernel takes the whole map in one write. */
  if (write (fd, buf, len) != (ssize_t) len)
    return hr_error_set (err, errno, "idmapped mount: write %s `%.*s`", file, (int) (len ? len - 1 : 0), buf);
  return 0;
}

/* A user namespace holding the mount's mappings, as an fd.  A short-lived
   child is cloned into a new user namespace; we (privileged in its parent
   namespace) write its uid_map/gid_map through a private procfs of our pid
   namespace (the host's /proc would name another pid), keep its
   /proc/<pid>/ns/user open and kill it: the fd keeps the namespace. */
static int
userns_with_maps (const oci_mount *m, hr_err *err)
{
  struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  _cleanup_close_ int procfd = -1;
  _cleanup_free_ char *rel = NULL;
  int nsfd = -1, r;
  pid_t pid;

  procfd = hr_open_trusted_proc (err);
  if (procfd < 0)
    return -1;
  pid = (pid_t) syscall (SYS_clone3, &args, sizeof (args));
  if (pid < 0)
    return hr_error_set (err, errno, "idmapped mount: clone a user namespace");
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      for (;;)
        pause ();
    }
  r = write_map (procfd, pid, "uid_map", m->uid_mappings, m->uid_mappings_len, err);
  if (r == 0)
    r = write_map (procfd, pid, "gid_map", m->gid_mappings, m->gid_mappings_len, err);
  if (r == 0)
    {
      rel = xasprintf ("%d/ns/user", (int) pid);
      nsfd = openat (procfd, rel, O_RDONLY | O_CLOEXEC);
      if (nsfd < 0)
        r = hr_error_set (err, errno, "idmapped mount: open user namespace");
    }
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return r < 0 ? -1 : nsfd;
}

int
hr_mount_idmap (int mfd, const oci_mount *m, bool recursive, hr_err *err)
{
  _cleanup_close_ int nsfd = -1;
  struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP };

  /* Mappings without a user namespace of the container to take them from
     (the spec's "idmap" without uidMappings) are not supported: hydra-runc
     has no user namespaces yet. */
  if (m->uid_mappings_len == 0 || m->gid_mappings_len == 0)
    return hr_error_plain (err, EINVAL,
                           "idmapped mount on `%s`: both uidMappings and gidMappings are required", m->destination);
  nsfd = userns_with_maps (m, err);
  if (nsfd < 0)
    return hr_error_wrap (err, "mount on `%s`", m->destination);
  a.userns_fd = (uint64_t) nsfd;
  if (mount_setattr (mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof (a)) < 0)
    return hr_error_set (err, errno, "idmapped mount on `%s` (does its filesystem support idmapped mounts?)",
                         m->destination);
  return 0;
}

static int copy_tree_depth (int srcfd, int dstfd, const char *dest, unsigned depth, hr_err *err);

/* Copy one entry `name` of src into dst, without following symlinks
   (the covered directory is the rootfs's: hostile). */
static int
copy_entry (int src, int dst, const char *name, const char *dest, unsigned depth, hr_err *err)
{
  struct stat st;
  struct timespec times[2];

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hr_error_set (err, errno, "tmpcopyup `%s`: stat `%s`", dest, name);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  if (S_ISDIR (st.st_mode))
    {
      _cleanup_close_ int s = -1, d = -1;
      if (depth > 64)
        return hr_error_plain (err, ELOOP, "tmpcopyup `%s`: directory tree too deep", dest);
      if (mkdirat (dst, name, 0700) < 0 && errno != EEXIST)
        return hr_error_set (err, errno, "tmpcopyup `%s`: mkdir `%s`", dest, name);
      s = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      d = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s < 0 || d < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: open `%s`", dest, name);
      if (copy_tree_depth (s, d, dest, depth, err) < 0)
        return -1;
      if (fchown (d, st.st_uid, st.st_gid) < 0 || fchmod (d, st.st_mode & 07777) < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: chown/chmod `%s`", dest, name);
      futimens (d, times);
      return 0;
    }
  if (S_ISREG (st.st_mode))
    {
      _cleanup_close_ int s = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int d = -1;
      char buf[65536];
      ssize_t n;
      if (s < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: open `%s`", dest, name);
      d = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (d < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: create `%s`", dest, name);
      while ((n = read (s, buf, sizeof (buf))) > 0)
        if (hr_write_all (d, buf, (size_t) n) < 0)
          return hr_error_set (err, errno, "tmpcopyup `%s`: write `%s`", dest, name);
      if (n < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: read `%s`", dest, name);
      if (fchown (d, st.st_uid, st.st_gid) < 0 || fchmod (d, st.st_mode & 07777) < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: chown/chmod `%s`", dest, name);
      futimens (d, times);
      return 0;
    }
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (src, name, target, sizeof (target) - 1);
      if (n < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: readlink `%s`", dest, name);
      target[n] = '\0';
      /* Copied as a link, never followed. */
      if (symlinkat (target, dst, name) < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: symlink `%s`", dest, name);
      if (fchownat (dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return hr_error_set (err, errno, "tmpcopyup `%s`: chown `%s`", dest, name);
      return 0;
    }
  /* Device nodes, fifos, sockets: recreated as they were. */
  if (mknodat (dst, name, st.st_mode, st.st_rdev) < 0)
    return hr_error_set (err, errno, "tmpcopyup `%s`: mknod `%s`", dest, name);
  if (fchownat (dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hr_error_set (err, errno, "tmpcopyup `%s`: chown `%s`", dest, name);
  return 0;
}

static int
copy_tree_depth (int srcfd, int dstfd, const char *dest, unsigned depth, hr_err *err)
{
  _cleanup_closedir_ DIR *d = NULL;
  struct dirent *de;
  int fd;

  /* srcfd may be O_PATH: reopen it for reading through itself. */
  fd = openat (srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "tmpcopyup `%s`: open", dest);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return hr_error_set (err, errno, "tmpcopyup `%s`: opendir", dest);
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (dirfd (d), dstfd, de->d_name, dest, depth + 1, err) < 0)
        return -1;
    }
  if (errno)
    return hr_error_set (err, errno, "tmpcopyup `%s`: readdir", dest);
  return 0;
}

int
hr_copy_tree (int srcfd, int dstfd, const char *dest, hr_err *err)
{
  return copy_tree_depth (srcfd, dstfd, dest, 0, err);
}
