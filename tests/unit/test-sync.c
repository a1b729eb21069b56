/* SPDX-License-Identifier: Apache-2.0 */
/* src/lib/state/sync.c: the decoder of the runtime <-> init protocol (pure: one
   packet at a time), and send/receive over a real SEQPACKET socketpair.
   The peer may be a compromised container init: every length is checked
   against the header, nothing is cut or accepted short.  No root. */
#include <config.h>
#include "tap.h"
#include "state/sync.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void
header (unsigned char *buf, uint32_t type, int32_t errnum, uint32_t len)
{
  const uint32_t h[3] = { type, (uint32_t) errnum, len };
  memcpy (buf, h, sizeof (h));
}

/* Decode a header of (type, errnum, len); returns what the decoder did. */
static int
decode_header (struct hr_msg *m, uint32_t type, int32_t errnum, uint32_t len, hr_err *err)
{
  unsigned char h[HR_MSG_HEADER_SIZE];
  header (h, type, errnum, len);
  return hr_msg_decode (m, h, sizeof (h), err);
}

static void
expect_protocol_error (int r, hr_err *err, const char *what)
{
  ok (r < 0 && *err && hr_error_errno (*err) == EPROTO, "%s: protocol error (%s)", what, *err ? (*err)->msg : "none");
  hr_error_free (err);
}

static void
test_headers (void)
{
  struct hr_msg *m = hr_msg_alloc ();
  unsigned char h[HR_MSG_HEADER_SIZE + 1] = { 0 };
  hr_err err = NULL;

  is_int (decode_header (m, HR_MSG_GO, 0, 0, &err), 1, "a header without payload is a whole message");
  is_int (m->type, HR_MSG_GO, "type");
  is_int (m->len, 0, "no payload");
  is_str (m->data, "", "empty data");
  header (h, HR_MSG_GO, 0, 0);
  expect_protocol_error (hr_msg_decode (m, h, HR_MSG_HEADER_SIZE - 1, &err), &err, "short header");
  expect_protocol_error (hr_msg_decode (m, h, HR_MSG_HEADER_SIZE + 1, &err), &err, "long header");
  expect_protocol_error (hr_msg_decode (m, h, 0, &err), &err, "empty packet");
  expect_protocol_error (decode_header (m, 0, 0, 0, &err), &err, "type 0");
  expect_protocol_error (decode_header (m, 0x7fffffff, 0, 0, &err), &err, "unknown type");
  expect_protocol_error (decode_header (m, HR_MSG_RECORDED_ACK, 0, 1, &err), &err, "payload on a bare message");
  expect_protocol_error (decode_header (m, HR_MSG_GO, 5, 0, &err), &err, "errno on a non-error");
  expect_protocol_error (decode_header (m, HR_MSG_ERROR, -1, 3, &err), &err, "negative errno");
  expect_protocol_error (decode_header (m, HR_MSG_ERROR, 4096, 3, &err), &err, "errno out of range");
  expect_protocol_error (decode_header (m, HR_MSG_RUN_HOOKS, 0, 65, &err), &err, "stage name too long");
  int r = decode_header (m, HR_MSG_STATE_CREATED, 0, HR_MSG_LIMIT + 1, &err);
  ok (r < 0 && err && strstr (err->msg, "64 MiB") && strstr (err->msg, "state-created"),
      "a payload over the limit is refused naming the limit (%s)", err ? err->msg : "none");
  hr_error_free (&err);
  r = decode_header (m, HR_MSG_ERROR, 0, 0xffffffffu, &err);
  ok (r < 0 && err, "a length of 4 GiB is refused before any allocation");
  hr_error_free (&err);
  /* after every error, a good header decodes */
  is_int (decode_header (m, HR_MSG_CREATED, 0, 0, &err), 1, "the decoder recovers for the next message");
  hr_msg_free (m);
}

static void
test_payload (void)
{
  struct hr_msg *m = hr_msg_alloc ();
  const size_t len = 2 * HR_MSG_CHUNK + 100;
  char *src = malloc (len);
  hr_err err = NULL;

  for (size_t i = 0; i < len; i++)
    src[i] = (char) ('a' + i % 26);
  is_int (decode_header (m, HR_MSG_STATE_CREATING, 0, (uint32_t) len, &err), 0, "a payload follows its header");
  is_int (hr_msg_next_len (m), HR_MSG_CHUNK, "first payload packet: a full chunk");
  is_int (hr_msg_decode (m, src, HR_MSG_CHUNK, &err), 0, "chunk 1");
  is_int (hr_msg_decode (m, src + HR_MSG_CHUNK, HR_MSG_CHUNK, &err), 0, "chunk 2");
  is_int (hr_msg_next_len (m), 100, "the last packet carries the rest");
  expect_protocol_error (hr_msg_decode (m, src + 2 * HR_MSG_CHUNK, 99, &err), &err, "a short last packet");
  ok (!m->partial && m->data == m->none, "the error dropped the partial payload");

  is_int (decode_header (m, HR_MSG_STATE_CREATING, 0, (uint32_t) len, &err), 0, "again");
  expect_protocol_error (hr_msg_decode (m, src, HR_MSG_CHUNK + 1, &err), &err, "a packet longer than a chunk");
  is_int (decode_header (m, HR_MSG_STATE_CREATING, 0, (uint32_t) len, &err), 0, "again");
  is_int (hr_msg_decode (m, src, HR_MSG_CHUNK, &err), 0, "chunk 1");
  expect_protocol_error (hr_msg_decode (m, src, HR_MSG_HEADER_SIZE, &err), &err,
                         "a header where payload is due (a message cut short)");

  is_int (decode_header (m, HR_MSG_STATE_CREATING, 0, (uint32_t) len, &err), 0, "again");
  for (size_t off = 0; off < len; off += HR_MSG_CHUNK)
    {
      size_t n = hr_msg_next_len (m);
      int r = hr_msg_decode (m, src + off, n, &err);
      if (off + n < len ? r != 0 : r != 1)
        {
          ok (0, "decode at %zu returned %d", off, r);
          break;
        }
    }
  is_int (m->len, len, "whole length");
  ok (memcmp (m->data, src, len) == 0 && m->data[len] == '\0', "byte-identical, NUL-terminated");

  is_int (decode_header (m, HR_MSG_ERROR, EACCES, 5, &err), 0, "an error message");
  expect_protocol_error (hr_msg_decode (m, "ab\0cd", 5, &err), &err, "a NUL inside a text payload");
  free (src);
  hr_msg_free (m);
}

/* Send `len` bytes of a pattern as HR_MSG_STATE_CREATED from a child (a
   payload larger than the socket buffer needs a reader meanwhile). */
static pid_t
send_from_child (int fd, size_t len)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      char *p = malloc (len);
      hr_err err = NULL;
      for (size_t i = 0; i < len; i++)
        p[i] = (char) ('A' + (i * 7) % 26);
      _exit (hr_msg_send (fd, HR_MSG_STATE_CREATED, 0, p, len, &err) < 0 ? 1 : 0);
    }
  return pid;
}

static void
test_socket (void)
{
  struct hr_msg *m = hr_msg_alloc ();
  hr_err err = NULL;
  int sv[2], status = 0;
  unsigned char h[HR_MSG_HEADER_SIZE];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    abort ();
  /* 3 MiB: a state with MiBs of annotations */
  const size_t len = (size_t) 3 << 20;
  pid_t pid = send_from_child (sv[0], len);
  int r = hr_msg_expect (sv[1], HR_MSG_STATE_CREATED, m, &err);
  waitpid (pid, &status, 0);
  ok (r == 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0, "3 MiB crosses the socket (%s)",
      err ? err->msg : "ok");
  hr_error_free (&err);
  is_int (m->len, len, "received length");
  size_t bad = 0;
  for (size_t i = 0; i < len && i < m->len; i++)
    bad += m->data[i] != (char) ('A' + (i * 7) % 26);
  is_int (bad, 0, "no byte differs");

  /* a message in the middle of a payload */
  is_int (hr_msg_send (sv[0], HR_MSG_GO, 0, NULL, 0, &err), 0, "send go");
  is_int (hr_msg_expect (sv[1], HR_MSG_GO, m, &err), 0, "receive go after a large message");

  /* an oversized payload packet: MSG_TRUNC reports it, refused */
  header (h, HR_MSG_ERROR, EPERM, 10);
  char big[20] = "0123456789012345678";
  send (sv[0], h, sizeof (h), 0);
  send (sv[0], big, sizeof (big), 0);
  expect_protocol_error (hr_msg_recv (sv[1], m, &err), &err, "a payload packet longer than announced");

  /* errors travel with their errno */
  hr_err e = NULL;
  hr_error_plain (&e, ENOSPC, "no space left for the test");
  hr_msg_send_error (sv[0], e);
  hr_error_free (&e);
  r = hr_msg_expect (sv[1], HR_MSG_CREATED, m, &err);
  ok (r < 0 && err && hr_error_errno (err) == ENOSPC && strcmp (err->msg, "no space left for the test") == 0,
      "an error message becomes the error");
  hr_error_free (&err);

  /* a sender refuses what the receiver would, naming the limit, before
     reading the buffer */
  r = hr_msg_send (sv[0], HR_MSG_STATE_CREATING, 0, "", (size_t) HR_MSG_LIMIT + 1, &err);
  ok (r < 0 && err && hr_error_errno (err) == EMSGSIZE && strstr (err->msg, "64 MiB"),
      "send over the limit fails naming it (%s)", err ? err->msg : "none");
  hr_error_free (&err);

  /* the peer dies half way through a message */
  header (h, HR_MSG_STATE_CREATING, 0, 10);
  send (sv[0], h, sizeof (h), 0);
  close (sv[0]);
  r = hr_msg_recv (sv[1], m, &err);
  ok (r < 0 && err && hr_error_errno (err) == EPIPE && strstr (err->msg, "middle"), "EOF inside a message (%s)",
      err ? err->msg : "none");
  hr_error_free (&err);
  r = hr_msg_recv (sv[1], m, &err);
  ok (r < 0 && err && hr_error_errno (err) == EPIPE, "EOF between messages");
  hr_error_free (&err);
  close (sv[1]);
  hr_msg_free (m);
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);
  test_headers ();
  test_payload ();
  test_socket ();
  return tap_done ();
}
