/* SPDX-License-Identifier: Apache-2.0 */
/* A rotating JSON-lines file for the audit stream (audit.h).  Rotation is
   by rename, as logrotate does: a reader holding the old file reads it to
   its end, and `events --audit` notices the new inode and goes on. */
#include <config.h>
#include "sandbox/audit.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
log_reopen (struct hr_audit_log *l, hr_err *err)
{
  struct stat st;

  if (l->fd >= 0)
    close (l->fd);
  /* 0600: the stream names every file and command of the container; it
     is for whoever may read the state dir (root), not for the container. */
  l->fd = openat (l->dirfd, l->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (l->fd < 0)
    return hr_error_set (err, errno, "open audit log `%s`", l->name);
  l->size = fstat (l->fd, &st) == 0 ? (uint64_t) st.st_size : 0;
  return 0;
}

int
hr_audit_log_open (struct hr_audit_log *l, int dirfd, const char *name, uint64_t max_bytes, unsigned keep, hr_err *err)
{
  *l = (struct hr_audit_log){ .dirfd = dirfd, .name = xstrdup (name), .fd = -1, .max_bytes = max_bytes, .keep = keep };
  if (log_reopen (l, err) < 0)
    {
      hr_audit_log_close (l);
      return -1;
    }
  return 0;
}

static int
log_rotate (struct hr_audit_log *l, hr_err *err)
{
  if (l->keep == 0)
    {
      if (ftruncate (l->fd, 0) < 0)
        return hr_error_set (err, errno, "truncate audit log `%s`", l->name);
      l->size = 0;
      return 0;
    }
  for (unsigned k = l->keep; k > 1; k--)
    {
      _cleanup_free_ char *from = xasprintf ("%s.%u", l->name, k - 1), *to = xasprintf ("%s.%u", l->name, k);
      if (renameat (l->dirfd, from, l->dirfd, to) < 0 && errno != ENOENT)
        return hr_error_set (err, errno, "rotate audit log `%s`", from);
    }
  _cleanup_free_ char *first = xasprintf ("%s.1", l->name);
  if (renameat (l->dirfd, l->name, l->dirfd, first) < 0)
    return hr_error_set (err, errno, "rotate audit log `%s`", l->name);
  return log_reopen (l, err);
}

int
hr_audit_log_flush (struct hr_audit_log *l, hr_err *err)
{
  size_t n = l->pend_len;

  if (n == 0)
    return 0;
  l->pend_len = 0;
  /* One write: O_APPEND keeps every queued line whole for a reader. */
  if (hr_write_all (l->fd, l->pend, n) < 0)
    return hr_error_set (err, errno, "write audit log `%s`", l->name);
  l->size += n;
  return 0;
}

int
hr_audit_log_write (struct hr_audit_log *l, const char *line, hr_err *err)
{
  size_t n = strlen (line);

  if (l->fd < 0)
    return hr_error_plain (err, EBADF, "audit log `%s` is not open", l->name);
  if (l->max_bytes && l->size + l->pend_len > 0 && l->size + l->pend_len + n + 1 > l->max_bytes)
    {
      /* What is queued still fits: it goes to the file being rotated. */
      if (hr_audit_log_flush (l, err) < 0 || log_rotate (l, err) < 0)
        return -1;
    }
  if (l->pend_len + n + 1 > l->pend_cap)
    {
      l->pend_cap = (l->pend_len + n + 1) * 2;
      l->pend = xrealloc (l->pend, l->pend_cap);
    }
  memcpy (l->pend + l->pend_len, line, n);
  l->pend[l->pend_len + n] = '\n';
  l->pend_len += n + 1;
  if (l->pend_len >= 64 * 1024)
    return hr_audit_log_flush (l, err);
  return 0;
}

void
hr_audit_log_close (struct hr_audit_log *l)
{
  hr_err ignored = NULL;

  if (l->fd >= 0 && hr_audit_log_flush (l, &ignored) < 0)
    hr_error_free (&ignored);
  free (l->pend);
  l->pend = NULL;
  l->pend_len = l->pend_cap = 0;
  if (l->fd >= 0)
    close (l->fd);
  l->fd = -1;
  free (l->name);
  l->name = NULL;
}
