/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events --audit`: the container's audit stream so far, then the new
 * lines as the audit process writes them (audit.h), until it ends.  A
 * rotation (a rename, audit_log.c) is noticed by the inode of the name
 * changing: the old file is read to its end first, so nothing is lost.
 */
#include <config.h>
#include "sandbox/audit.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

struct follow
{
  int fd;
  char *buf;
  size_t len, cap;
  bool ended;
};

/* The last line of a stream: {"type":"audit-end"}.  Parsed, not matched:
   a string from the container cannot end the stream early. */
static bool
is_end (const char *line, size_t len)
{
  _cleanup_ (json_freep) json_value *v = NULL;
  hr_err e = NULL;

  if (len < 20 || json_parse (line, len, &v, &e) < 0)
    {
      hr_error_free (&e);
      return false;
    }
  const json_value *t = json_object_get (v, "type");
  return t && t->type == JSON_STRING && strcmp (t->u.str.ptr, "audit-end") == 0;
}

/* Deliver every whole line read so far. */
static int
drain (struct follow *f, int (*cb) (const char *, void *, hr_err *), void *arg, hr_err *err)
{
  for (;;)
    {
      if (f->cap - f->len < 4096)
        f->buf = xrealloc (f->buf, f->cap = f->cap * 2 + 8192);
      ssize_t n = read (f->fd, f->buf + f->len, f->cap - f->len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hr_error_set (err, errno, "read the audit log");
      f->len += (size_t) n;
      char *start = f->buf, *nl;
      while ((nl = memchr (start, '\n', f->len - (size_t) (start - f->buf))))
        {
          *nl = '\0';
          if (cb (start, arg, err) < 0)
            return -1;
          if (is_end (start, (size_t) (nl - start)))
            f->ended = true;
          start = nl + 1;
        }
      f->len -= (size_t) (start - f->buf);
      memmove (f->buf, start, f->len);
      if (n == 0)
        return 0;
    }
}

static bool
rotated (int dirfd, int fd)
{
  struct stat a, b;
  if (fstat (fd, &a) < 0 || fstatat (dirfd, HR_AUDIT_LOG, &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

int
hr_audit_follow (int dirfd, int (*cb) (const char *line, void *arg, hr_err *err), void *arg, hr_err *err)
{
  struct follow f = { .fd = -1 };
  _cleanup_close_ int in = -1;
  _cleanup_free_ char *dirpath = xasprintf ("/proc/self/fd/%d", dirfd);
  int ret = -1;

  f.fd = openat (dirfd, HR_AUDIT_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (f.fd < 0 && errno == ENOENT)
    return hr_error_plain (err, ENOENT, "the container has no audit stream (its policy has no `audit`)");
  if (f.fd < 0)
    return hr_error_set (err, errno, "open the audit log");
  /* Woken by the audit process's writes and renames; a timeout as well,
     to notice it ended without a last line (killed). */
  in = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (in >= 0)
    (void) inotify_add_watch (in, dirpath, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF);
  for (;;)
    {
      if (drain (&f, cb, arg, err) < 0)
        goto out;
      if (f.ended)
        break;
      if (rotated (dirfd, f.fd))
        {
          close (f.fd);
          f.len = 0;
          f.fd = openat (dirfd, HR_AUDIT_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (f.fd < 0)
            break;
          continue;
        }
      if (!hr_audit_running (dirfd))
        {
          /* Gone: what it wrote before is read to the end. */
          if (drain (&f, cb, arg, err) < 0)
            goto out;
          break;
        }
      struct pollfd p = { .fd = in, .events = POLLIN };
      if (poll (&p, in >= 0 ? 1 : 0, 1000) > 0)
        {
          char ev[4096];
          while (read (in, ev, sizeof ev) > 0)
            ;
        }
    }
  ret = 0;
out:
  if (f.fd >= 0)
    close (f.fd);
  free (f.buf);
  return ret;
}
