/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "state/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
    case HR_MSG_STATE_CREATING: return "state-creating";
    case HR_MSG_STATE_CREATED: return "state-created";
    case HR_MSG_RECORDED_ACK: return "recorded-ack";
    default: return "unknown";
    }
}

/* What a message of each type may carry.  Text payloads are used as C
   strings by the receiver, so an embedded NUL (which would silently cut
   them) is refused. */
struct payload_rule
{
  bool known;
  bool text;     /* else: no payload, errnum 0 */
  uint32_t max;  /* largest payload */
};

static struct payload_rule
payload_rule (uint32_t type)
{
  switch (type)
    {
    case HR_MSG_GO:
    case HR_MSG_CREATED:
    case HR_MSG_HOOKS_DONE:
    case HR_MSG_EXEC_READY:
    case HR_MSG_RECORDED:
    case HR_MSG_SECCOMP_FD:
    case HR_MSG_SECCOMP_DONE:
    case HR_MSG_RECORDED_ACK:
      return (struct payload_rule) { true, false, 0 };
    case HR_MSG_RUN_HOOKS: /* a hook stage name */
      return (struct payload_rule) { true, true, 64 };
    case HR_MSG_ERROR:
    case HR_MSG_STATE_CREATING:
    case HR_MSG_STATE_CREATED:
      return (struct payload_rule) { true, true, HR_MSG_LIMIT };
    default:
      return (struct payload_rule) { false, false, 0 };
    }
}

static void
release_payload (struct hr_msg *msg)
{
  if (msg->data != msg->none)
    free (msg->data);
  msg->data = msg->none;
  msg->none[0] = '\0';
  msg->partial = false;
  msg->got = 0;
}

struct hr_msg *
hr_msg_alloc (void)
{
  struct hr_msg *m = malloc (sizeof (*m));
  if (m == NULL)
    abort ();
  m->type = 0;
  m->errnum = 0;
  m->len = 0;
  m->data = m->none;
  release_payload (m);
  return m;
}

void
hr_msg_free (struct hr_msg *m)
{
  if (m == NULL)
    return;
  release_payload (m);
  free (m);
}

size_t
hr_msg_next_len (const struct hr_msg *msg)
{
  if (!msg->partial)
    return HR_MSG_HEADER_SIZE;
  return msg->len - msg->got < HR_MSG_CHUNK ? msg->len - msg->got : HR_MSG_CHUNK;
}

/* A protocol error leaves msg ready for a next message (none is expected:
   the callers give up on the peer). */
#define PROTOCOL_ERROR(msg, err, ...) (release_payload (msg), hr_error_plain ((err), EPROTO, __VA_ARGS__))

static int
decode_header (struct hr_msg *msg, const void *pkt, size_t n, hr_err *err)
{
  uint32_t h[3];

  if (n != HR_MSG_HEADER_SIZE)
    return PROTOCOL_ERROR (msg, err, "malformed sync message: header of %zu bytes, expected %d", n,
                           HR_MSG_HEADER_SIZE);
  memcpy (h, pkt, sizeof (h));
  msg->type = h[0];
  msg->errnum = (int32_t) h[1];
  msg->len = h[2];
  const struct payload_rule r = payload_rule (msg->type);
  const char *name = hr_msg_name (msg->type);
  if (!r.known)
    return PROTOCOL_ERROR (msg, err, "malformed sync message: unknown type %u", h[0]);
  if (msg->len > r.max && r.max == HR_MSG_LIMIT)
    return PROTOCOL_ERROR (msg, err, "sync message `%s` announces %u bytes, over the limit of %u MiB", name, h[2],
                           HR_MSG_LIMIT >> 20);
  if (msg->len > r.max)
    return PROTOCOL_ERROR (msg, err, "malformed sync message `%s`: %u bytes of payload, at most %u allowed", name,
                           h[2], r.max);
  /* Only an error carries an errno, and a real one. */
  if (msg->type == HR_MSG_ERROR ? msg->errnum < 0 || msg->errnum > 4095 : msg->errnum != 0)
    return PROTOCOL_ERROR (msg, err, "malformed sync message `%s`: errno %d", name, msg->errnum);
  if (msg->len == 0)
    return 1;
  msg->data = malloc ((size_t) msg->len + 1);
  if (msg->data == NULL)
    {
      msg->data = msg->none;
      return hr_error_set (err, ENOMEM, "allocate %u bytes for sync message `%s`", h[2], name);
    }
  msg->partial = true;
  return 0;
}

int
hr_msg_decode (struct hr_msg *msg, const void *pkt, size_t n, hr_err *err)
{
  if (!msg->partial)
    {
      release_payload (msg);
      return decode_header (msg, pkt, n, err);
    }
  const size_t want = hr_msg_next_len (msg);
  const char *name = hr_msg_name (msg->type);
  char *dst = msg->data + msg->got;
  if (n != want)
    return PROTOCOL_ERROR (msg, err, "malformed sync message `%s`: payload packet of %zu bytes, expected %zu", name,
                           n, want);
  if (pkt != dst)
    memcpy (dst, pkt, n);
  msg->got += (uint32_t) n;
  if (msg->got < msg->len)
    return 0;
  msg->partial = false;
  msg->data[msg->len] = '\0';
  if (payload_rule (msg->type).text && memchr (msg->data, '\0', msg->len) != NULL)
    return PROTOCOL_ERROR (msg, err, "malformed sync message `%s`: NUL byte in its text", name);
  return 1;
}

static int
send_packet (int fd, const void *buf, size_t len)
{
  ssize_t r;
  do
    r = send (fd, buf, len, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  /* A SEQPACKET send is all or nothing; anything else is a kernel we do
     not understand. */
  if ((size_t) r != len)
    {
      errno = EMSGSIZE;
      return -1;
    }
  return 0;
}

int
hr_msg_send (int fd, enum hr_msg_type type, int errnum, const void *data, size_t len, hr_err *err)
{
  const char *p = data;

  if (len > HR_MSG_LIMIT)
    return hr_error_plain (err, EMSGSIZE, "`%s` message of %zu bytes exceeds the sync protocol's limit of %u MiB",
                           hr_msg_name (type), len, HR_MSG_LIMIT >> 20);
  const uint32_t h[3] = { type, (uint32_t) errnum, (uint32_t) len };
  if (send_packet (fd, h, sizeof (h)) < 0)
    return hr_error_set (err, errno, "send `%s` message", hr_msg_name (type));
  while (len > 0)
    {
      size_t n = len < HR_MSG_CHUNK ? len : HR_MSG_CHUNK;
      if (send_packet (fd, p, n) < 0)
        return hr_error_set (err, errno, "send `%s` message", hr_msg_name (type));
      p += n;
      len -= n;
    }
  return 0;
}

void
hr_msg_send_error (int fd, hr_err e)
{
  const char *m = e && e->msg ? e->msg : "unknown error";
  int errnum = hr_error_errno (e);
  hr_err ignored = NULL;
  hr_msg_send (fd, HR_MSG_ERROR, errnum >= 0 && errnum < 4096 ? errnum : EIO, m, strlen (m), &ignored);
  hr_error_free (&ignored);
}

/* One packet into buf; returns its real length (MSG_TRUNC: a packet
   longer than buf reports its length, which the decoder refuses). */
static ssize_t
recv_packet (int fd, void *buf, size_t len)
{
  ssize_t r;
  do
    r = recv (fd, buf, len, MSG_TRUNC);
  while (r < 0 && errno == EINTR);
  return r;
}

int
hr_msg_recv (int fd, struct hr_msg *msg, hr_err *err)
{
  unsigned char h[HR_MSG_HEADER_SIZE];
  ssize_t n;
  int r;

  release_payload (msg);
  n = recv_packet (fd, h, sizeof (h));
  for (;;)
    {
      if (n < 0)
        {
          int e = errno;
          release_payload (msg);
          return hr_error_set (err, e, "receive message");
        }
      if (n == 0)
        {
          bool mid = msg->partial;
          release_payload (msg);
          if (mid)
            return hr_error_plain (err, EPIPE, "peer closed the sync socket in the middle of a `%s` message",
                                   hr_msg_name (msg->type));
          return hr_error_plain (err, EPIPE, "peer closed the sync socket");
        }
      r = hr_msg_decode (msg, msg->partial ? msg->data + msg->got : (void *) h, (size_t) n, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
      n = recv_packet (fd, msg->data + msg->got, hr_msg_next_len (msg));
    }
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
