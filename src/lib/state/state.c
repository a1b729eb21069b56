/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "state/state.h"
#include "cleanup.h"
#include "kernel/userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

char *
hr_default_root (void)
{
  /* runc's shouldHonorXDGRuntimeDir: $XDG_RUNTIME_DIR for a user, and for
     root in a user namespace unless $USER says root; never for the real
     root (whose XDG_RUNTIME_DIR may be /run/user/0).  Without it a user
     gets /run/hydra-runc and its "permission denied", as with runc: no
     guessable fallback in a world-writable /tmp, where another user could
     make the directory first. */
  const char *xdg = getenv ("XDG_RUNTIME_DIR"), *user = getenv ("USER");
  bool honor = xdg && *xdg && (geteuid () != 0 || (hr_userns_running_in () && (user == NULL || strcmp (user, "root") != 0)));

  if (honor)
    return xasprintf ("%s/hydra-runc", xdg);
  return xstrdup ("/run/hydra-runc");
}

bool
hr_context_rootless (const struct hr_context *ctx)
{
  if (ctx->rootless >= 0)
    return ctx->rootless;
  /* root in a user namespace cannot know what it may do to cgroups:
     rootless too, as runc decides */
  return geteuid () != 0 || hr_userns_running_in ();
}

/* Ids may be 1024 characters, directory names only NAME_MAX (255).  Long
   ids get a directory named "~" + two 64-bit hashes of the id ('~' cannot
   start an id, so the names never meet); state.json holds the real id and
   hr_state_dir_open checks it. */
const char *
hr_state_dir_name (const char *id, char buf[HR_STATE_DIR_NAME_MAX])
{
  uint64_t fnv = 0xcbf29ce484222325ULL, djb = 5381;

  if (strlen (id) <= 200)
    return id;
  for (const unsigned char *p = (const unsigned char *) id; *p; p++)
    {
      fnv = (fnv ^ *p) * 0x100000001b3ULL;
      djb = djb * 33 + *p;
    }
  snprintf (buf, HR_STATE_DIR_NAME_MAX, "~%016llx%016llx", (unsigned long long) fnv, (unsigned long long) djb);
  return buf;
}

static int
mkdir_p (const char *path, mode_t mode, hr_err *err)
{
  _cleanup_free_ char *p = xstrdup (path);
  for (char *s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      /* Every directory made gets the root's mode, as runc's
         os.MkdirAll(root, 0700) gives them: a parent made here is no
         business of other users either. */
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return hr_error_set (err, errno, "mkdir `%s`", p);
      *s = '/';
    }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "mkdir `%s`", p);
  return 0;
}

int
hr_state_root_open (struct hr_context *ctx, char **path, hr_err *err)
{
  _cleanup_free_ char *root = NULL;
  int fd;

  root = ctx->root && *ctx->root ? xstrdup (ctx->root) : hr_default_root ();
  if (root[0] != '/')
    {
      _cleanup_free_ char *cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return hr_error_set (err, errno, "getcwd");
      char *abs = xasprintf ("%s/%s", cwd, root);
      free (root);
      root = abs;
    }
  if (mkdir_p (root, 0700, err) < 0)
    return hr_error_wrap (err, "state root");
  /* The XDG base directory spec: what is to stay in $XDG_RUNTIME_DIR is
     made sticky, or it may be cleaned away after 6 hours (runc does it). */
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if ((ctx->root == NULL || *ctx->root == '\0') && xdg && *xdg && str_has_prefix (root, xdg))
    (void) chmod (root, 01700);
  fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open state root `%s`", root);
  if (path)
    *path = TAKE_PTR (root);
  return fd;
}

static int
lock_dir (int dirfd, int how, hr_err *err)
{
  int r;
  do
    r = flock (dirfd, how);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "lock container state");
  return 0;
}

int
hr_state_dir_lock (int dirfd, hr_err *err)
{
  return lock_dir (dirfd, LOCK_EX, err);
}

void
hr_state_dir_unlock (int dirfd)
{
  (void) flock (dirfd, LOCK_UN);
}

/* A writer holds the lock only for its own short critical sections, so
   finding it held says one is at work right now (a create before its
   first state.json, a delete removing the files). */
bool
hr_state_dir_busy (int dirfd)
{
  if (flock (dirfd, LOCK_SH | LOCK_NB) == 0)
    {
      (void) flock (dirfd, LOCK_UN);
      return false;
    }
  return errno == EWOULDBLOCK;
}

bool
hr_state_dir_is_ours (int rootfd, const char *id, int dirfd)
{
  char buf[HR_STATE_DIR_NAME_MAX];
  struct stat a, b;

  if (fstat (dirfd, &a) < 0 || a.st_nlink == 0)
    return false;
  if (fstatat (rootfd, hr_state_dir_name (id, buf), &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
hr_state_dir_create (int rootfd, const char *id, hr_err *err)
{
  _cleanup_close_ int fd = -1;
  char buf[HR_STATE_DIR_NAME_MAX];
  const char *name = hr_state_dir_name (id, buf);

  if (mkdirat (rootfd, name, 0711) < 0)
    {
      if (errno == EEXIST)
        return hr_error_plain (err, EEXIST, "container with id exists: %s", id);
      return hr_error_set (err, errno, "create state directory for `%s`", id);
    }
  fd = openat (rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hr_error_set (err, errno, "open state directory for `%s`", id);
  if (lock_dir (fd, LOCK_EX, err) < 0)
    return -1;
  return TAKE_FD (fd);
}

int
hr_state_dir_open (int rootfd, const char *id, enum hr_state_lock lock, hr_err *err)
{
  char buf[HR_STATE_DIR_NAME_MAX];
  _cleanup_close_ int fd = openat (rootfd, hr_state_dir_name (id, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;

  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
        return hr_error_plain (err, ENOENT, "container does not exist");
      return hr_error_set (err, errno, "open state directory for `%s`", id);
    }
  if (lock != HR_STATE_NO_LOCK && lock_dir (fd, lock == HR_STATE_LOCK_EX ? LOCK_EX : LOCK_SH, err) < 0)
    return -1;
  /* A delete that held the lock before us has unlinked the directory. */
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "stat state directory");
  if (st.st_nlink == 0)
    return hr_error_plain (err, ENOENT, "container does not exist");
  return TAKE_FD (fd);
}

void
hr_state_dir_detach (int dirfd, const char *name)
{
  char path[512];

  /* Through the fd, so that no path outside the state root is reached;
     UMOUNT_NOFOLLOW: a symlink is never followed to a mount elsewhere. */
  snprintf (path, sizeof (path), "/proc/self/fd/%d/%s", dirfd, name);
  while (umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
    ;
}

int
hr_state_dir_remove (int rootfd, const char *id, hr_err *err)
{
  char buf[HR_STATE_DIR_NAME_MAX];
  const char *name = hr_state_dir_name (id, buf);
  _cleanup_close_ int fd = openat (rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  _cleanup_closedir_ DIR *d = NULL;
  struct dirent *de;

  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return hr_error_set (err, errno, "open state directory for `%s`", id);
    }
  d = fdopendir (fd);
  if (d == NULL)
    return hr_error_set (err, errno, "read state directory");
  fd = -1; /* owned by d now */
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* (a directory: criu-root of a restore killed half way, detached
         first; then rmdir, which never descends into anything) */
      if (de->d_type == DT_DIR)
        hr_state_dir_detach (dirfd (d), de->d_name);
      if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT
          && !(errno == EISDIR && unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) == 0))
        return hr_error_set (err, errno, "remove `%s/%s`", id, de->d_name);
    }
  if (unlinkat (rootfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return hr_error_set (err, errno, "remove state directory `%s`", id);
  return 0;
}

/* state.json and config.json are replaced, never rewritten in place: the
   new text goes to NAME.tmp (staged), then is renamed over NAME
   (committed), so a reader, or a runtime killed mid-write, sees the old
   document or the new one, never a torn one.  A full or read-only state
   root fails the staging, which needs space (tmpfs and ext4 reserve the
   blocks at write()), and leaves the old file whole; the rename needs
   none.  A failed staging removes its temporary file.  No fsync: state
   describes processes, which do not survive the crash or power loss that
   fsync guards against, and belongs on a temporary filesystem anyway
   (runc's runtime.md: removed on reboot).  On a disk-backed root, as /run
   is on some hosts, two fsyncs per write cost `run` 1.4 ms on an idle
   disk and up to 5 ms on a busy one (docs/performance.md). */
int
hr_state_stage_file (int dirfd, const char *name, const char *data, size_t len, hr_err *err)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp", name);
  _cleanup_close_ int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return hr_error_set (err, errno, "write %s: open", name);
  if (hr_write_all (fd, data, len) < 0)
    {
      int e = errno;
      hr_state_unstage_file (dirfd, name);
      return hr_error_set (err, e, "write %s", name);
    }
  return 0;
}

int
hr_state_commit_file (int dirfd, const char *name, hr_err *err)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp", name);

  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int e = errno;
      hr_state_unstage_file (dirfd, name);
      return hr_error_set (err, e, "write %s: rename", name);
    }
  return 0;
}

void
hr_state_unstage_file (int dirfd, const char *name)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp", name);
  (void) unlinkat (dirfd, tmp, 0);
}

int
hr_state_write_file (int dirfd, const char *name, const char *data, size_t len, hr_err *err)
{
  if (hr_state_stage_file (dirfd, name, data, len, err) < 0)
    return -1;
  return hr_state_commit_file (dirfd, name, err);
}

int
hr_state_write (int dirfd, const hr_state_file *st, hr_err *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len = 0;

  if (hr_state_file_to_json (st, false, &json, &len, err) < 0)
    return hr_error_wrap (err, "serialize state");
  return hr_state_write_file (dirfd, HR_STATE_FILE, json, len, err);
}

int
hr_state_stage_config (int dirfd, const oci_config *cfg, hr_err *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len = 0;

  if (oci_config_to_json (cfg, false, &json, &len, err) < 0)
    return hr_error_wrap (err, "serialize config");
  return hr_state_stage_file (dirfd, HR_CONFIG_FILE, json, len, err);
}

int
hr_state_load_config (int dirfd, oci_config **out, hr_err *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;

  if (hr_read_file_at (dirfd, HR_CONFIG_FILE, OCI_MAX_DOCUMENT_SIZE, &data, &len, err) < 0)
    return -1;
  return oci_config_parse_data (data, len, HR_CONFIG_FILE, out, err);
}

int
hr_state_read (int dirfd, hr_state_file **out, hr_err *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;

  /* state.json carries the config's annotations: as large as the config
     may be (a smaller bound made a container created with MiBs of
     annotations unreadable, and so undeletable). */
  if (hr_read_file_at (dirfd, HR_STATE_FILE, OCI_MAX_DOCUMENT_SIZE, &data, &len, err) < 0)
    return -1;
  if (hr_state_file_parse_data (data, len, HR_STATE_FILE, out, err) < 0)
    return -1;
  return 0;
}

bool
hr_state_proc_alive (pid_t pid, bool start_present, unsigned long long start_time)
{
  char pstate = 0;
  unsigned long long start;

  if (pid <= 0)
    return false;
  start = hr_proc_start_time (pid, &pstate);
  return start != 0 && pstate != 'Z' && pstate != 'X' && (!start_present || start == start_time);
}

const char *
hr_state_status (int dirfd, const hr_state_file *st, pid_t *pid)
{
  bool creating;

  *pid = 0;
  if (st == NULL)
    return "stopped";
  /* A create at work (hooks run with no lock held): "creating" while its
     init, or before the init exists its create process, lives.  Both die
     together (PR_SET_PDEATHSIG), so a killed create reads as stopped. */
  creating = st->status_present && st->status == OCI_HR_STATUS_CREATING;
  if (!st->pid_present || st->pid <= 0)
    {
      if (creating && hr_state_proc_alive ((pid_t) st->creator_pid, st->creator_start_time_present,
                                           st->creator_start_time))
        return "creating";
      return "stopped";
    }
  if (!hr_state_proc_alive ((pid_t) st->pid, st->init_start_time_present, st->init_start_time))
    return "stopped";
  *pid = (pid_t) st->pid;
  if (creating)
    return "creating";
  if (faccessat (dirfd, HR_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return "created";
  return "running";
}
