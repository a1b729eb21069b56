/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image directories and rootfs over the migration channel (transfer.h).
 * The target writes only below its own work directory, with names the
 * protocol checked (single components, proto.c), files created with
 * O_EXCL|O_NOFOLLOW: the peer can fill a directory, never point outside
 * it.
 */
#include <config.h>
#include "migrate/transfer.h"
#include "migrate/channel.h"
#include "migrate/supervise.h"
#include "log.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int
hr_mig_workdir_create (const char *root, const char *id, char **path, int *fd, hr_err *err)
{
  if (mkdir (root, 0700) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "create %s", root);
  char *p = xasprintf ("%s/.migrate-%.64s-XXXXXX", root, id);
  if (mkdtemp (p) == NULL)
    {
      int e = errno;
      free (p);
      return hr_error_set (err, e, "create a work directory in %s", root);
    }
  *fd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    {
      int e = errno;
      rmdir (p);
      free (p);
      return hr_error_set (err, e, "open work directory");
    }
  *path = p;
  return 0;
}

static void
remove_in (int dfd, int depth)
{
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  struct dirent *de;
  if (d == NULL)
    {
      close (dfd);
      return;
    }
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) == 0 || errno != EISDIR || depth == 0)
        continue;
      int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0)
        remove_in (sub, depth - 1);
      unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR);
    }
}

void
hr_mig_workdir_remove (const char *path)
{
  if (path == NULL)
    return;
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    remove_in (fd, 2);
  rmdir (path);
}

static bool
is_log (const char *name)
{
  size_t n = strlen (name);
  return n > 4 && strcmp (name + n - 4, ".log") == 0;
}

/* The target spoke while we were sending: keepalives, or an ERROR (it
   stopped receiving), whose words become our error. */
static int
peer_stopped (struct hr_mig_chan *chan, hr_err *err)
{
  static uint8_t buf[HR_MIG_PAYLOAD_MAX];
  return hr_mig_poll_peer (chan, buf, "the target", err);
}

static int
send_file (struct hr_mig_chan *chan, int dfd, const char *name, uint64_t *bytes, hr_err *err)
{
  _cleanup_close_ int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  uint8_t hdr[8];
  static uint8_t buf[HR_MIG_PAYLOAD_MAX];

  if (fd < 0 || fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "open image %s", name);
  uint64_t size = (uint64_t) st.st_size, left = size;
  for (int i = 0; i < 8; i++)
    hdr[i] = (uint8_t) (size >> (8 * i));
  if (hr_mig_send (chan, HR_MIG_FILE, hdr, 8, name, strlen (name), err) < 0)
    return -1;
  while (left > 0)
    {
      size_t want = left < sizeof (buf) ? (size_t) left : sizeof (buf);
      ssize_t n = read (fd, buf, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? hr_error_set (err, errno, "read image %s", name)
                     : hr_error_plain (err, EIO, "image %s shrank while it was sent", name);
      if (hr_mig_send (chan, HR_MIG_DATA, buf, (size_t) n, NULL, 0, err) < 0)
        return -1;
      left -= (uint64_t) n;
      if (hr_mig_readable (chan) && peer_stopped (chan, err) < 0)
        return -1;
    }
  *bytes += size;
  return 0;
}

int
hr_mig_send_dir (struct hr_mig_chan *chan, int workfd, const char *name, const char *parent, uint64_t *bytes,
                 hr_err *err)
{
  uint8_t payload[1 + 2 * HR_MIG_NAME_MAX];
  size_t nlen = strlen (name), plen = parent ? strlen (parent) : 0;
  int dfd = openat (workfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_closedir_ DIR *d = NULL;
  struct dirent *de;

  if (dfd < 0)
    return hr_error_set (err, errno, "open image directory %s", name);
  d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return hr_error_set (err, errno, "read image directory %s", name);
    }
  if (nlen > HR_MIG_NAME_MAX || plen > HR_MIG_NAME_MAX)
    return hr_error_plain (err, EINVAL, "image directory name too long");
  payload[0] = (uint8_t) nlen;
  memcpy (payload + 1, name, nlen);
  if (plen)
    memcpy (payload + 1 + nlen, parent, plen);
  if (hr_mig_send (chan, HR_MIG_DIR, payload, 1 + nlen + plen, NULL, 0, err) < 0)
    return -1;
  while ((de = readdir (d)))
    {
      /* Regular files only: CRIU's "parent" link is remade by the target;
         logs stay with the side that wrote them. */
      if (de->d_type != DT_REG || is_log (de->d_name))
        continue;
      if (!hr_mig_name_ok (de->d_name))
        return hr_error_plain (err, EINVAL, "unexpected file name in the images: %s", de->d_name);
      if (send_file (chan, dirfd (d), de->d_name, bytes, err) < 0)
        return -1;
    }
  return 0;
}

int
hr_mig_recv_dir (int workfd, const struct hr_mig_msg *msg, int *out, hr_err *err)
{
  if (mkdirat (workfd, msg->name, 0700) < 0)
    return hr_error_set (err, errno, "create image directory %s", msg->name);
  int fd = openat (workfd, msg->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open image directory %s", msg->name);
  if (msg->parent[0])
    {
      struct stat st;
      char target[HR_MIG_NAME_MAX + 4];
      /* The parent must be a round received before. */
      if (fstatat (workfd, msg->parent, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
        {
          close (fd);
          return hr_error_plain (err, EPROTO, "image directory %s names an unknown parent %s", msg->name,
                                 msg->parent);
        }
      snprintf (target, sizeof (target), "../%s", msg->parent);
      if (symlinkat (target, fd, "parent") < 0)
        {
          int e = errno;
          close (fd);
          return hr_error_set (err, e, "link %s to its parent", msg->name);
        }
    }
  *out = fd;
  return 0;
}

int
hr_mig_recv_file (struct hr_mig_chan *chan, int dirfd, const struct hr_mig_msg *msg, uint8_t *buf,
                  const char *peer, hr_err *err)
{
  struct hr_mig_msg m;
  uint64_t left = msg->size;
  _cleanup_close_ int fd = openat (dirfd, msg->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    return hr_error_set (err, errno, "create image %s", msg->name);
  while (left > 0)
    {
      if (hr_mig_recv (chan, HR_MIG_BIT (HR_MIG_DATA), buf, &m, peer, err) < 0)
        return -1;
      if (m.len > left)
        return hr_error_plain (err, EPROTO, "image %s: more data than its size", msg->name);
      if (hr_write_all (fd, m.data, m.len) < 0)
        return hr_error_set (err, errno, "write image %s", msg->name);
      left -= m.len;
    }
  return 0;
}

/* Run tar with one end of a pipe as its stdin (unpack) or stdout (pack). */
static pid_t
spawn_tar (char *const argv[], int fd, bool is_stdin, hr_err *err)
{
  pid_t pid = fork ();
  if (pid < 0)
    return hr_error_set (err, errno, "fork tar");
  if (pid == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGPIPE, SIG_DFL);
      if (dup2 (fd, is_stdin ? 0 : 1) < 0)
        _exit (127);
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0)
        dup2 (null, is_stdin ? 1 : 0);
      execvp (argv[0], argv);
      _exit (127);
    }
  return pid;
}

static int
wait_tar (pid_t pid, const char *what, hr_err *err)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "wait for tar");
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return hr_error_plain (err, EIO, "%s: tar %s %d", what, WIFEXITED (status) ? "exited with" : "killed by signal",
                         WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
}

int
hr_mig_send_rootfs (struct hr_mig_chan *chan, const char *rootfs, hr_err *err)
{
  int p[2];
  static uint8_t buf[HR_MIG_PAYLOAD_MAX];
  /* Numeric owners and extended attributes (file capabilities) as they
     are: the target runs the same image. */
  char *const argv[] = { "tar", "-C", (char *) rootfs, "--numeric-owner", "--xattrs", "--xattrs-include=*",
                         "-cf", "-", ".", NULL };

  if (hr_mig_send (chan, HR_MIG_ROOTFS, NULL, 0, NULL, 0, err) < 0)
    return -1;
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  pid_t pid = spawn_tar (argv, p[1], false, err);
  close (p[1]);
  if (pid < 0)
    {
      close (p[0]);
      return -1;
    }
  int ret = 0;
  for (;;)
    {
      ssize_t n = read (p[0], buf, sizeof (buf));
      if (n < 0 && errno == EINTR && !hr_mig_interrupted)
        continue;
      if (n < 0)
        {
          ret = hr_error_set (err, errno, "read the rootfs archive");
          break;
        }
      if (n == 0)
        break;
      if (hr_mig_send (chan, HR_MIG_DATA, buf, (size_t) n, NULL, 0, err) < 0
          || (hr_mig_readable (chan) && peer_stopped (chan, err) < 0))
        {
          ret = -1;
          break;
        }
    }
  close (p[0]);
  if (ret < 0)
    kill (pid, SIGKILL);
  hr_err werr = NULL;
  int w = wait_tar (pid, "pack the rootfs", ret < 0 ? NULL : &werr);
  if (ret == 0 && w < 0)
    {
      *err = werr;
      ret = -1;
    }
  uint8_t st[4] = { 0 };
  st[0] = ret < 0 ? 1 : 0;
  if (ret == 0 && hr_mig_send (chan, HR_MIG_END, st, 4, NULL, 0, err) < 0)
    return -1;
  return ret;
}

int
hr_mig_recv_rootfs (struct hr_mig_chan *chan, const char *rootfs, uint8_t *buf, const char *peer, hr_err *err)
{
  int p[2];
  struct hr_mig_msg m;
  char *const argv[] = { "tar", "-C", (char *) rootfs, "--numeric-owner", "--same-owner", "--same-permissions",
                         "--xattrs", "--xattrs-include=*", "-xf", "-", NULL };

  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  pid_t pid = spawn_tar (argv, p[0], true, err);
  close (p[0]);
  if (pid < 0)
    {
      close (p[1]);
      return -1;
    }
  int ret = 0;
  for (;;)
    {
      if (hr_mig_recv (chan, HR_MIG_BIT (HR_MIG_DATA) | HR_MIG_BIT (HR_MIG_END), buf, &m, peer, err) < 0)
        {
          ret = -1;
          break;
        }
      if (m.type == HR_MIG_END)
        break;
      if (hr_write_all_nosigpipe (p[1], m.data, m.len) < 0)
        {
          ret = hr_error_set (err, errno, "unpack the rootfs");
          break;
        }
    }
  close (p[1]);
  if (ret < 0)
    kill (pid, SIGKILL);
  hr_err werr = NULL;
  int w = wait_tar (pid, "unpack the rootfs", ret < 0 ? NULL : &werr);
  if (ret == 0 && w < 0)
    {
      *err = werr;
      ret = -1;
    }
  return ret;
}

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st;
  (void) ftw;
  return (flag == FTW_DP ? rmdir (path) : unlink (path)) < 0 && errno != ENOENT ? -1 : 0;
}

int
hr_mig_remove_tree (const char *path, hr_err *err)
{
  if (nftw (path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
    return hr_error_set (err, errno, "remove %s", path);
  return 0;
}

pid_t
hr_mig_spawn_relay (struct hr_mig_chan *data, int sock, int other, int *count_fd, hr_err *err)
{
  int fd = -1;
  pid_t pid = hr_mig_fork_piped (&fd, "the page relay", err);
  if (pid != 0)
    {
      *count_fd = fd;
      return pid;
    }
  hr_err e = NULL;
  uint64_t sent = 0;
  /* CRIU's end only in CRIU: its exit must be our end of file. */
  close (other);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  int r = hr_mig_relay (data, sock, &sent, &e);
  (void) hr_write_all (fd, &sent, sizeof (sent));
  if (r < 0)
    hr_debug ("page relay: %s", e->msg);
  _exit (r < 0 ? 1 : 0);
}
