/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct wire_header
{
  uint32_t type;
  int32_t errnum;
  uint32_t len;
};

const char *
hr_msg_name (uint32_t type)
{
  switch (type)
    {
    case HR_MSG_GO: return "go";
    case HR_MSG_CREATED: return "created";
    case HR_MSG_ERROR: return "error";
    case HR_MSG_RUN_HOOKS: return "run-hooks";
    case HR_MSG_HOOKS_DONE: return "hooks-done";
    case HR_MSG_EXEC_READY: return "exec-ready";
    case HR_MSG_RECORDED: return "recorded";
    case HR_MSG_SECCOMP_FD: return "seccomp-fd";
    case HR_MSG_SECCOMP_DONE: return "seccomp-done";
    default: return "unknown";
    }
}

int
hr_msg_send (int fd, enum hr_msg_type type, int errnum, const void *data, size_t len, hr_err *err)
{
  struct wire_header h = { type, errnum, 0 };
  struct iovec iov[2];
  ssize_t r;

  if (len > HR_MSG_MAX_PAYLOAD)
    len = HR_MSG_MAX_PAYLOAD;
  h.len = (uint32_t) len;
  iov[0].iov_base = &h;
  iov[0].iov_len = sizeof (h);
  iov[1].iov_base = (void *) data;
  iov[1].iov_len = len;
  do
    r = writev (fd, iov, len ? 2 : 1);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "send `%s` message", hr_msg_name (type));
  return 0;
}

void
hr_msg_send_error (int fd, hr_err e)
{
  const char *m = e && e->msg ? e->msg : "unknown error";
  hr_err ignored = NULL;
  hr_msg_send (fd, HR_MSG_ERROR, hr_error_errno (e), m, strlen (m), &ignored);
  hr_error_free (&ignored);
}

struct hr_msg *
hr_msg_alloc (void)
{
  struct hr_msg *m = malloc (sizeof (*m));
  if (m == NULL)
    abort ();
  m->type = 0;
  m->len = 0;
  m->data[0] = '\0';
  return m;
}

int
hr_msg_recv (int fd, struct hr_msg *msg, hr_err *err)
{
  struct wire_header h;
  struct iovec iov[2];
  ssize_t r;

  iov[0].iov_base = &h;
  iov[0].iov_len = sizeof (h);
  iov[1].iov_base = msg->data;
  iov[1].iov_len = HR_MSG_MAX_PAYLOAD;
  do
    r = readv (fd, iov, 2);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "receive message");
  if (r == 0)
    return hr_error_plain (err, EPIPE, "peer closed the sync socket");
  if ((size_t) r < sizeof (h) || h.len != (size_t) r - sizeof (h))
    return hr_error_plain (err, EPROTO, "malformed sync message");
  msg->type = h.type;
  msg->errnum = h.errnum;
  msg->len = h.len;
  msg->data[h.len] = '\0';
  return 0;
}

int
hr_msg_expect (int fd, enum hr_msg_type type, struct hr_msg *msg, hr_err *err)
{
  if (hr_msg_recv (fd, msg, err) < 0)
    return -1;
  return hr_msg_check (msg, type, err);
}

int
hr_msg_check (const struct hr_msg *msg, enum hr_msg_type type, hr_err *err)
{
  if (msg->type == HR_MSG_ERROR)
    return hr_error_from_msg (err, msg->errnum, msg->data);
  if (msg->type != type)
    return hr_error_plain (err, EPROTO, "expected `%s` message, got `%s`", hr_msg_name (type),
                         hr_msg_name (msg->type));
  return 0;
}
