/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The migration protocol (proto.c), spoken over the channel (channel.h)
 * once both sides are authenticated.  Every message is an 8-byte header
 * {type, length} (little endian) and at most HR_MIG_PAYLOAD_MAX bytes of
 * payload; the receiver checks each type's size rule before it uses a
 * byte (hr_mig_decode is pure and fuzzed: tests/fuzz/fuzz-migrate.c).
 *
 *   source                               target
 *   HELLO {version, mode, flags, id}  ->
 *                                     <- READY {flags} | ERROR {text}
 *   [ROOTFS, DATA..., END {status}]   ->       (--sync-rootfs)
 *   per round: DIR {name, parent}, FILE {size, name}, DATA..., ...
 *   RESTORE {dir}                     ->
 *                                     <- RUNNING {pid} | ERROR {text}
 *   ACK                               ->
 *                                     <- close_notify
 *
 * The target keeps its copy only when the ACK came; the source drops its
 * (paused) copy only after the target's clean close, which follows the
 * ACK.  A connection lost between the two leaves the source paused and
 * says the outcome is unknown: never a container on both hosts.
 *
 * Post-copy adds a second connection for CRIU's page traffic, opened by
 * the source after READY (which then carries a token) and bound to the
 * migration by JOIN {token}; after it, that connection carries CRIU's
 * page-server protocol as is.  The target then says DONE when its
 * lazy-pages daemon has every page: only then may the source drop its copy
 * (CRIU's page server ends a session cut short as if it were complete).
 *
 * Either side may send ERROR instead of its next message and close, and
 * sends PING while it works without talking (a CRIU dump or restore may
 * take longer than --timeout): the peer's timeout then only measures
 * whether the other side is alive.  Receivers skip PINGs.
 */
#ifndef HYDRA_MIGRATE_PROTO_H
#define HYDRA_MIGRATE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define HR_MIG_VERSION 1
#define HR_MIG_HEADER 8
/* Data travels in pieces of this; control messages are far smaller. */
#define HR_MIG_PAYLOAD_MAX (256u * 1024)
/* An image file name (CRIU's are short: "pages-12.img") and a round's
   directory name. */
#define HR_MIG_NAME_MAX 128
#define HR_MIG_TEXT_MAX 4096
#define HR_MIG_TOKEN_LEN 16

enum hr_mig_type
{
  HR_MIG_HELLO = 1,
  HR_MIG_READY,
  HR_MIG_ERROR,
  HR_MIG_ROOTFS,
  HR_MIG_DATA,
  HR_MIG_END,
  HR_MIG_DIR,
  HR_MIG_FILE,
  HR_MIG_RESTORE,
  HR_MIG_RUNNING,
  HR_MIG_JOIN,
  HR_MIG_DONE,
  HR_MIG_PING,
  HR_MIG_ACK,
  HR_MIG_TYPE_MAX = HR_MIG_ACK,
};

enum hr_mig_mode
{
  HR_MIG_STOP_COPY = 1,
  HR_MIG_PRE_COPY,
  HR_MIG_POST_COPY,
};
/* "stop-copy", "pre-copy", "post-copy"; -1 for anything else. */
int hr_mig_mode_parse (const char *s);
const char *hr_mig_mode_name (enum hr_mig_mode m);

/* HELLO flags */
#define HR_MIG_F_TCP_ESTABLISHED (1u << 0)
#define HR_MIG_F_SYNC_ROOTFS (1u << 1)
#define HR_MIG_F_LAZY_PAGES (1u << 2) /* RESTORE: restore with lazy pages */
#define HR_MIG_F_ALL (HR_MIG_F_TCP_ESTABLISHED | HR_MIG_F_SYNC_ROOTFS | HR_MIG_F_LAZY_PAGES)
/* READY flags */
#define HR_MIG_R_SEND_ROOTFS (1u << 0)

/* A decoded message; the pointers point into the payload. */
struct hr_mig_msg
{
  enum hr_mig_type type;
  uint32_t version, mode, flags; /* HELLO; flags also READY, RESTORE */
  int32_t status;                /* END */
  uint32_t pid;                  /* RUNNING */
  bool has_token;                /* READY (post-copy), JOIN */
  uint8_t token[HR_MIG_TOKEN_LEN];
  uint64_t size;                 /* FILE */
  char name[HR_MIG_NAME_MAX + 1];   /* HELLO: the id (<= 1024: see id below); DIR, FILE, RESTORE */
  char parent[HR_MIG_NAME_MAX + 1]; /* DIR: "" or an earlier round */
  char id[1025];                 /* HELLO */
  char text[HR_MIG_TEXT_MAX + 1];   /* ERROR */
  const uint8_t *data;           /* DATA */
  size_t len;
};

/* The header: type and payload length, both checked (known type, length
   within the type's bounds). */
int hr_mig_decode_header (const uint8_t hdr[HR_MIG_HEADER], uint32_t *type, uint32_t *len, hr_err *err);
/* A whole message.  Names are single path components of [A-Za-z0-9._-]
   that are not "." or ".."; an ERROR's text is made printable. */
int hr_mig_decode (uint32_t type, const uint8_t *payload, size_t len, struct hr_mig_msg *msg, hr_err *err);
/* A name the protocol accepts (image files, round directories). */
bool hr_mig_name_ok (const char *s);

struct hr_mig_chan;
/* Send one message: TYPE with the payload parts A and B. */
int hr_mig_send (struct hr_mig_chan *chan, enum hr_mig_type type, const void *a, size_t alen, const void *b,
                 size_t blen, hr_err *err);
int hr_mig_send_error (struct hr_mig_chan *chan, const char *text);
/* READY {flags}, RUNNING {pid}, END {status} */
int hr_mig_send_u32 (struct hr_mig_chan *chan, enum hr_mig_type type, uint32_t v, hr_err *err);
int hr_mig_send_hello (struct hr_mig_chan *chan, enum hr_mig_mode mode, uint32_t flags, const char *id, hr_err *err);
int hr_mig_send_restore (struct hr_mig_chan *chan, uint32_t flags, const char *dir, hr_err *err);
/* Receive and decode one message into MSG (BUF holds the payload, of
   HR_MIG_PAYLOAD_MAX bytes).  An ERROR from the peer becomes our error
   ("the target: ..."), as does a type not in EXPECT (a bit per type). */
int hr_mig_recv (struct hr_mig_chan *chan, uint32_t expect, uint8_t *buf, struct hr_mig_msg *msg, const char *peer,
                 hr_err *err);
#define HR_MIG_BIT(t) (1u << (t))
/* While sending: what the peer said meanwhile, without waiting.  PINGs
   are dropped; an ERROR becomes our error (the peer stopped receiving). */
int hr_mig_poll_peer (struct hr_mig_chan *chan, uint8_t *buf, const char *peer, hr_err *err);

/* A thread that sends PING on CHAN every INTERVAL_MS until stopped. */
struct hr_mig_keepalive;
int hr_mig_keepalive_start (struct hr_mig_chan *chan, unsigned interval_ms, struct hr_mig_keepalive **out,
                            hr_err *err);
void hr_mig_keepalive_stop (struct hr_mig_keepalive *k);

#endif
