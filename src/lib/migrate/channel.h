/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The migration channel (channel.c): one TCP connection between the
 * source and the target, carried by TLS 1.3 with a pre-shared key
 * (GnuTLS, the TLS library CRIU itself uses).  The key authenticates both
 * sides before anything else crosses (a peer without it fails the
 * handshake: TLS 1.3's PSK binder), and the (EC)DHE-PSK key exchange
 * encrypts the session with forward secrecy, so memory pages never cross
 * the network in the clear.  Nothing here knows what is sent (proto.h).
 */
#ifndef HYDRA_MIGRATE_CHANNEL_H
#define HYDRA_MIGRATE_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "error.h"

/* The key file: a regular file only its owner can read or write (mode
   0600 or stricter, like ssh's private keys), of 16 to 4096 bytes, used as
   the raw pre-shared key. */
#define HR_MIG_KEY_MIN 16
#define HR_MIG_KEY_MAX 4096

struct hr_mig_key
{
  unsigned char *data;
  size_t len;
};
int hr_mig_key_load (const char *path, struct hr_mig_key *key, hr_err *err);
void hr_mig_key_clear (struct hr_mig_key *key);

/* "ADDR:PORT" with ADDR an IPv4 address or a bracketed IPv6 one
   ("[::1]:9000"); no names, so no resolver is consulted.  Pure. */
int hr_mig_parse_addr (const char *s, struct sockaddr_storage *sa, socklen_t *len, hr_err *err);

struct hr_mig_chan;

/* Bind ADDR (exactly that address) and listen for one connection. */
int hr_mig_listen (const char *addr, hr_err *err);
/* Accept one connection on LISTEN_FD (waiting as long as it takes) and
   run the server's handshake.  TIMEOUT_MS bounds every later wait. */
int hr_mig_accept (int listen_fd, const struct hr_mig_key *key, unsigned timeout_ms, struct hr_mig_chan **chan,
                   hr_err *err);
/* Connect to ADDR and run the client's handshake. */
int hr_mig_connect (const char *addr, const struct hr_mig_key *key, unsigned timeout_ms, struct hr_mig_chan **chan,
                    hr_err *err);

/* All of BUF, or an error (a peer gone, TIMEOUT_MS without progress). */
int hr_mig_send_all (struct hr_mig_chan *chan, const void *buf, size_t len, hr_err *err);
/* Exactly LEN bytes; an end of stream is an error naming the peer. */
int hr_mig_recv_all (struct hr_mig_chan *chan, void *buf, size_t len, hr_err *err);
/* Bytes sent so far (payload, before encryption). */
uint64_t hr_mig_bytes_sent (const struct hr_mig_chan *chan);
/* Whether the peer sent something we have not read (without waiting):
   the source looks between pieces of data for the target's ERROR. */
bool hr_mig_readable (struct hr_mig_chan *chan);
/* Read and drop what the peer still sends, for at most MS or until it
   closes: after sending ERROR, so that closing does not reset the
   connection (and drop the ERROR) while the peer is still sending. */
void hr_mig_drain (struct hr_mig_chan *chan, unsigned ms);
/* Free our copy of a channel another process took over (no
   close_notify: the session is theirs). */
void hr_mig_forget (struct hr_mig_chan *chan);
/* Carry bytes both ways between the channel and SOCK (a socketpair end
   CRIU's page server or lazy-pages daemon has) until both are done:
   post-copy's page traffic inside TLS.  *sent counts what went to the
   peer. */
int hr_mig_relay (struct hr_mig_chan *chan, int sock, uint64_t *sent, hr_err *err);
/* Wait for the peer's close_notify (what it still sends is dropped): 0
   only for a session the peer ended on purpose, not a reset or timeout. */
int hr_mig_wait_close (struct hr_mig_chan *chan, hr_err *err);
/* Whole messages from two threads (proto.c's keepalive). */
void hr_mig_lock_send (struct hr_mig_chan *chan);
void hr_mig_unlock_send (struct hr_mig_chan *chan);
/* Close (a TLS close_notify first when the session is healthy). */
void hr_mig_close (struct hr_mig_chan *chan);
static inline void
hr_mig_closep (struct hr_mig_chan **c)
{
  if (*c)
    hr_mig_close (*c);
  *c = NULL;
}

/* Set by a SIGINT/SIGTERM handler: every wait of the channel ends with
   an error "interrupted" so the command cleans up before it exits. */
extern volatile int hr_mig_interrupted;
void hr_mig_catch_signals (void);

#endif
