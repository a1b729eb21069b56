/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The migration protocol's messages (proto.h): sized, checked, never
 * truncated (the rule of our parent/child protocol, state/sync.c).  The
 * peer is authenticated, but a message is still decoded as if it were
 * hostile: a confused or compromised peer must not make the target write
 * outside its images directory.
 */
#include <config.h>
#include "migrate/proto.h"
#include "migrate/channel.h"
#include "hydra.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

int
hr_mig_mode_parse (const char *s)
{
  if (s == NULL || strcmp (s, "stop-copy") == 0)
    return HR_MIG_STOP_COPY;
  if (strcmp (s, "pre-copy") == 0)
    return HR_MIG_PRE_COPY;
  if (strcmp (s, "post-copy") == 0)
    return HR_MIG_POST_COPY;
  return -1;
}

const char *
hr_mig_mode_name (enum hr_mig_mode m)
{
  switch (m)
    {
    case HR_MIG_STOP_COPY:
      return "stop-copy";
    case HR_MIG_PRE_COPY:
      return "pre-copy";
    case HR_MIG_POST_COPY:
      return "post-copy";
    }
  return "?";
}

static uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
  p[2] = (uint8_t) (v >> 16);
  p[3] = (uint8_t) (v >> 24);
}

/* Payload bounds per type: [min, max]. */
static const struct
{
  uint32_t min, max;
} bounds[HR_MIG_TYPE_MAX + 1] = {
  [HR_MIG_HELLO] = { 13, 12 + 1024 },
  [HR_MIG_READY] = { 4, 4 + HR_MIG_TOKEN_LEN },
  [HR_MIG_ERROR] = { 0, HR_MIG_TEXT_MAX },
  [HR_MIG_ROOTFS] = { 0, 0 },
  [HR_MIG_DATA] = { 1, HR_MIG_PAYLOAD_MAX },
  [HR_MIG_END] = { 4, 4 },
  [HR_MIG_DIR] = { 2, 1 + 2 * HR_MIG_NAME_MAX },
  [HR_MIG_FILE] = { 9, 8 + HR_MIG_NAME_MAX },
  [HR_MIG_RESTORE] = { 5, 4 + HR_MIG_NAME_MAX },
  [HR_MIG_RUNNING] = { 4, 4 },
  [HR_MIG_JOIN] = { HR_MIG_TOKEN_LEN, HR_MIG_TOKEN_LEN },
  [HR_MIG_DONE] = { 0, 0 },
  [HR_MIG_PING] = { 0, 0 },
  [HR_MIG_ACK] = { 0, 0 },
};

int
hr_mig_decode_header (const uint8_t hdr[HR_MIG_HEADER], uint32_t *type, uint32_t *len, hr_err *err)
{
  *type = get32 (hdr);
  *len = get32 (hdr + 4);
  if (*type == 0 || *type > HR_MIG_TYPE_MAX)
    return hr_error_plain (err, EPROTO, "migration protocol: unknown message type %u", *type);
  if (*len < bounds[*type].min || *len > bounds[*type].max)
    return hr_error_plain (err, EPROTO, "migration protocol: message type %u with %u bytes (allowed %u to %u)",
                           *type, *len, bounds[*type].min, bounds[*type].max);
  return 0;
}

bool
hr_mig_name_ok (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > HR_MIG_NAME_MAX || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
            || c == '-'))
        return false;
    }
  return true;
}

/* Copy LEN bytes of P as a name into OUT (HR_MIG_NAME_MAX + 1). */
static int
take_name (const uint8_t *p, size_t len, char *out, bool may_be_empty, const char *what, hr_err *err)
{
  if (len > HR_MIG_NAME_MAX || memchr (p, '\0', len))
    return hr_error_plain (err, EPROTO, "migration protocol: invalid %s name", what);
  memcpy (out, p, len);
  out[len] = '\0';
  if (len == 0 && may_be_empty)
    return 0;
  if (!hr_mig_name_ok (out))
    return hr_error_plain (err, EPROTO, "migration protocol: invalid %s name \"%s\"", what, out);
  return 0;
}

int
hr_mig_decode (uint32_t type, const uint8_t *p, size_t len, struct hr_mig_msg *msg, hr_err *err)
{
  uint8_t hdr[HR_MIG_HEADER];
  uint32_t t, l;

  memset (msg, 0, offsetof (struct hr_mig_msg, name));
  msg->name[0] = msg->parent[0] = msg->id[0] = msg->text[0] = '\0';
  if (len > UINT32_MAX)
    return hr_error_plain (err, EPROTO, "migration protocol: message too long");
  put32 (hdr, type);
  put32 (hdr + 4, (uint32_t) len);
  if (hr_mig_decode_header (hdr, &t, &l, err) < 0)
    return -1;
  msg->type = (enum hr_mig_type) type;
  switch (msg->type)
    {
    case HR_MIG_HELLO:
      msg->version = get32 (p);
      msg->mode = get32 (p + 4);
      msg->flags = get32 (p + 8);
      if (msg->mode < HR_MIG_STOP_COPY || msg->mode > HR_MIG_POST_COPY)
        return hr_error_plain (err, EPROTO, "migration protocol: unknown mode %u", msg->mode);
      if (msg->flags & ~HR_MIG_F_ALL)
        return hr_error_plain (err, EPROTO, "migration protocol: unknown flags 0x%x", msg->flags);
      if (memchr (p + 12, '\0', len - 12))
        return hr_error_plain (err, EPROTO, "migration protocol: invalid container id");
      memcpy (msg->id, p + 12, len - 12);
      msg->id[len - 12] = '\0';
      if (hr_validate_id (msg->id, NULL) < 0)
        return hr_error_plain (err, EPROTO, "migration protocol: invalid container id");
      return 0;
    case HR_MIG_READY:
      if (len != 4 && len != 4 + HR_MIG_TOKEN_LEN)
        return hr_error_plain (err, EPROTO, "migration protocol: READY of %zu bytes", len);
      msg->flags = get32 (p);
      msg->has_token = len > 4;
      if (msg->has_token)
        memcpy (msg->token, p + 4, HR_MIG_TOKEN_LEN);
      return 0;
    case HR_MIG_RUNNING:
      msg->pid = get32 (p);
      return 0;
    case HR_MIG_JOIN:
      msg->has_token = true;
      memcpy (msg->token, p, HR_MIG_TOKEN_LEN);
      return 0;
    case HR_MIG_END:
      msg->status = (int32_t) get32 (p);
      return 0;
    case HR_MIG_ERROR:
      for (size_t i = 0; i < len; i++)
        msg->text[i] = (p[i] >= 0x20 && p[i] < 0x7f) || p[i] >= 0x80 ? (char) p[i] : ' ';
      msg->text[len] = '\0';
      return 0;
    case HR_MIG_ROOTFS:
    case HR_MIG_DONE:
    case HR_MIG_PING:
    case HR_MIG_ACK:
      return 0;
    case HR_MIG_DATA:
      msg->data = p;
      msg->len = len;
      return 0;
    case HR_MIG_DIR:
      if ((size_t) p[0] + 1 > len)
        return hr_error_plain (err, EPROTO, "migration protocol: DIR name longer than the message");
      if (take_name (p + 1, p[0], msg->name, false, "directory", err) < 0
          || take_name (p + 1 + p[0], len - 1 - p[0], msg->parent, true, "parent directory", err) < 0)
        return -1;
      if (strcmp (msg->name, msg->parent) == 0)
        return hr_error_plain (err, EPROTO, "migration protocol: directory %s is its own parent", msg->name);
      return 0;
    case HR_MIG_FILE:
      msg->size = (uint64_t) get32 (p) | (uint64_t) get32 (p + 4) << 32;
      return take_name (p + 8, len - 8, msg->name, false, "file", err);
    case HR_MIG_RESTORE:
      msg->flags = get32 (p);
      return take_name (p + 4, len - 4, msg->name, false, "directory", err);
    }
  return hr_error_plain (err, EPROTO, "migration protocol: unknown message type %u", type);
}

int
hr_mig_send (struct hr_mig_chan *chan, enum hr_mig_type type, const void *a, size_t alen, const void *b,
             size_t blen, hr_err *err)
{
  uint8_t hdr[HR_MIG_HEADER];
  uint32_t t, l;

  put32 (hdr, type);
  put32 (hdr + 4, (uint32_t) (alen + blen));
  /* What we send obeys the rules the peer checks. */
  if (alen + blen > HR_MIG_PAYLOAD_MAX || hr_mig_decode_header (hdr, &t, &l, err) < 0)
    return hr_error_plain (err, EINVAL, "migration protocol: message type %u of %zu bytes not sendable", type,
                           alen + blen);
  hr_mig_lock_send (chan);
  int r = hr_mig_send_all (chan, hdr, sizeof (hdr), err) < 0 || (alen && hr_mig_send_all (chan, a, alen, err) < 0)
                  || (blen && hr_mig_send_all (chan, b, blen, err) < 0)
              ? -1
              : 0;
  hr_mig_unlock_send (chan);
  return r;
}

int
hr_mig_send_error (struct hr_mig_chan *chan, const char *text)
{
  size_t n = strlen (text);
  if (n > HR_MIG_TEXT_MAX)
    n = HR_MIG_TEXT_MAX;
  return hr_mig_send (chan, HR_MIG_ERROR, text, n, NULL, 0, NULL);
}

static int
recv_one (struct hr_mig_chan *chan, uint8_t *buf, struct hr_mig_msg *msg, hr_err *err)
{
  uint8_t hdr[HR_MIG_HEADER];
  uint32_t type, len;

  if (hr_mig_recv_all (chan, hdr, sizeof (hdr), err) < 0 || hr_mig_decode_header (hdr, &type, &len, err) < 0
      || hr_mig_recv_all (chan, buf, len, err) < 0 || hr_mig_decode (type, buf, len, msg, err) < 0)
    return -1;
  return 0;
}

int
hr_mig_poll_peer (struct hr_mig_chan *chan, uint8_t *buf, const char *peer, hr_err *err)
{
  struct hr_mig_msg m;
  while (hr_mig_readable (chan))
    {
      if (recv_one (chan, buf, &m, err) < 0)
        return -1;
      if (m.type == HR_MIG_PING)
        continue;
      if (m.type == HR_MIG_ERROR)
        return hr_error_plain (err, EREMOTEIO, "%s: %s", peer, m.text);
      return hr_error_plain (err, EPROTO, "migration protocol: unexpected message type %u from %s", m.type, peer);
    }
  return 0;
}

int
hr_mig_recv (struct hr_mig_chan *chan, uint32_t expect, uint8_t *buf, struct hr_mig_msg *msg, const char *peer,
             hr_err *err)
{
  do
    if (recv_one (chan, buf, msg, err) < 0)
      return -1;
  while (msg->type == HR_MIG_PING);
  if (msg->type == HR_MIG_ERROR)
    return hr_error_plain (err, EREMOTEIO, "%s: %s", peer, msg->text);
  if (!(expect & HR_MIG_BIT (msg->type)))
    return hr_error_plain (err, EPROTO, "migration protocol: unexpected message type %u from %s", msg->type, peer);
  return 0;
}

int
hr_mig_send_u32 (struct hr_mig_chan *chan, enum hr_mig_type type, uint32_t v, hr_err *err)
{
  uint8_t p[4];
  put32 (p, v);
  return hr_mig_send (chan, type, p, 4, NULL, 0, err);
}

int
hr_mig_send_hello (struct hr_mig_chan *chan, enum hr_mig_mode mode, uint32_t flags, const char *id, hr_err *err)
{
  uint8_t p[12];
  put32 (p, HR_MIG_VERSION);
  put32 (p + 4, (uint32_t) mode);
  put32 (p + 8, flags);
  return hr_mig_send (chan, HR_MIG_HELLO, p, 12, id, strlen (id), err);
}

int
hr_mig_send_restore (struct hr_mig_chan *chan, uint32_t flags, const char *dir, hr_err *err)
{
  uint8_t p[4];
  put32 (p, flags);
  return hr_mig_send (chan, HR_MIG_RESTORE, p, 4, dir, strlen (dir), err);
}

struct hr_mig_keepalive
{
  struct hr_mig_chan *chan;
  unsigned interval_ms;
  bool stop;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t thread;
};

static void *
keepalive_main (void *arg)
{
  struct hr_mig_keepalive *k = arg;

  pthread_mutex_lock (&k->lock);
  while (!k->stop)
    {
      struct timespec until;
      clock_gettime (CLOCK_MONOTONIC, &until);
      until.tv_sec += k->interval_ms / 1000;
      until.tv_nsec += (long) (k->interval_ms % 1000) * 1000000L;
      if (until.tv_nsec >= 1000000000L)
        {
          until.tv_sec++;
          until.tv_nsec -= 1000000000L;
        }
      if (pthread_cond_timedwait (&k->cond, &k->lock, &until) == ETIMEDOUT && !k->stop)
        {
          /* A failure shows to the main thread at its next word. */
          if (hr_mig_send (k->chan, HR_MIG_PING, NULL, 0, NULL, 0, NULL) < 0)
            break;
        }
    }
  pthread_mutex_unlock (&k->lock);
  return NULL;
}

int
hr_mig_keepalive_start (struct hr_mig_chan *chan, unsigned interval_ms, struct hr_mig_keepalive **out, hr_err *err)
{
  struct hr_mig_keepalive *k = xmalloc0 (sizeof (*k));
  pthread_condattr_t ca;

  k->chan = chan;
  k->interval_ms = interval_ms ? interval_ms : 1000;
  pthread_mutex_init (&k->lock, NULL);
  pthread_condattr_init (&ca);
  pthread_condattr_setclock (&ca, CLOCK_MONOTONIC);
  pthread_cond_init (&k->cond, &ca);
  pthread_condattr_destroy (&ca);
  int r = pthread_create (&k->thread, NULL, keepalive_main, k);
  if (r != 0)
    {
      pthread_cond_destroy (&k->cond);
      pthread_mutex_destroy (&k->lock);
      free (k);
      return hr_error_set (err, r, "start the keepalive thread");
    }
  *out = k;
  return 0;
}

void
hr_mig_keepalive_stop (struct hr_mig_keepalive *k)
{
  if (k == NULL)
    return;
  pthread_mutex_lock (&k->lock);
  k->stop = true;
  pthread_cond_signal (&k->cond);
  pthread_mutex_unlock (&k->lock);
  pthread_join (k->thread, NULL);
  pthread_cond_destroy (&k->cond);
  pthread_mutex_destroy (&k->lock);
  free (k);
}
