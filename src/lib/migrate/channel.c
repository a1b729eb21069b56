/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The migration channel: TCP + TLS 1.3 with a pre-shared key (channel.h).
 *
 * GnuTLS, not our own crypto: Debian's libgnutls30 is what CRIU's page
 * server TLS is built on, it implements RFC 8446's PSK modes, and a
 * shared key needs no certificates on either host.  It is loaded with
 * dlopen(3) on the first migration, as libcriu and libsystemd are: only
 * `migrate` and `migrate-receive` need it and every `run` would otherwise
 * pay for mapping and relocating it.
 */
#include <config.h>
#include "migrate/channel.h"
#include "cleanup.h"
#include "util.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define HR_GNUTLS_SONAME "libgnutls.so.30"
/* Only the PSK identity both sides agree on; the secret is the key. */
#define HR_MIG_PSK_IDENTITY "hydra-runc-migrate"
/* TLS 1.3 only, and only the PSK modes with an (EC)DHE exchange (psk_dhe_ke,
   RFC 8446 §4.2.9): a plain-PSK session would have no forward secrecy. */
#define HR_MIG_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK:+DHE-PSK"

#define HR_GNUTLS_SYMBOLS(X)                                                                                          \
  X (gnutls_init)                                                                                                      \
  X (gnutls_deinit)                                                                                                    \
  X (gnutls_priority_set_direct)                                                                                       \
  X (gnutls_credentials_set)                                                                                           \
  X (gnutls_psk_allocate_client_credentials)                                                                           \
  X (gnutls_psk_free_client_credentials)                                                                               \
  X (gnutls_psk_set_client_credentials)                                                                                \
  X (gnutls_psk_allocate_server_credentials)                                                                           \
  X (gnutls_psk_free_server_credentials)                                                                               \
  X (gnutls_psk_set_server_credentials_function)                                                                       \
  X (gnutls_transport_set_int2)                                                                                        \
  X (gnutls_handshake)                                                                                                 \
  X (gnutls_handshake_set_timeout)                                                                                     \
  X (gnutls_record_send)                                                                                               \
  X (gnutls_record_recv)                                                                                               \
  X (gnutls_record_set_timeout)                                                                                        \
  X (gnutls_bye)                                                                                                       \
  X (gnutls_strerror)                                                                                                  \
  X (gnutls_error_is_fatal)                                                                                            \
  X (gnutls_session_set_ptr)                                                                                           \
  X (gnutls_session_get_ptr)                                                                                           \
  X (gnutls_record_check_pending)

static struct
{
#define HR_GNUTLS_FIELD(name) __typeof__ (name) *name;
  HR_GNUTLS_SYMBOLS (HR_GNUTLS_FIELD)
#undef HR_GNUTLS_FIELD
  gnutls_alloc_function *malloc_fn; /* the variable gnutls_malloc */
} tls;

static int
load_gnutls (hr_err *err)
{
  static void *handle;

  if (handle)
    return 0;
  void *h = dlopen (HR_GNUTLS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return hr_error_plain (err, ENOENT, "migration: cannot load %s (Debian package libgnutls30): %s",
                           HR_GNUTLS_SONAME, dlerror ());
#define HR_GNUTLS_RESOLVE(name)                                                                                        \
  if ((tls.name = (__typeof__ (tls.name)) dlsym (h, #name)) == NULL)                                                   \
    {                                                                                                                  \
      dlclose (h);                                                                                                     \
      return hr_error_plain (err, ENOSYS, "migration: %s has no %s", HR_GNUTLS_SONAME, #name);                      \
    }
  HR_GNUTLS_SYMBOLS (HR_GNUTLS_RESOLVE)
#undef HR_GNUTLS_RESOLVE
  tls.malloc_fn = (gnutls_alloc_function *) dlsym (h, "gnutls_malloc");
  if (tls.malloc_fn == NULL)
    {
      dlclose (h);
      return hr_error_plain (err, ENOSYS, "migration: %s has no gnutls_malloc", HR_GNUTLS_SONAME);
    }
  handle = h;
  return 0;
}

volatile int hr_mig_interrupted;

static void
on_signal (int sig)
{
  hr_mig_interrupted = sig;
}

void
hr_mig_catch_signals (void)
{
  /* No SA_RESTART: a blocked read or write returns EINTR and the command
     removes what it made instead of dying with it half done. */
  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  /* A peer that goes away must be an error, not a SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
}

int
hr_mig_key_load (const char *path, struct hr_mig_key *key, hr_err *err)
{
  struct stat st;

  *key = (struct hr_mig_key) { 0 };
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0)
    return hr_error_set (err, errno, "open key file %s", path);
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "stat key file %s", path);
  if (!S_ISREG (st.st_mode))
    return hr_error_plain (err, EINVAL, "key file %s is not a regular file", path);
  /* Whoever can read the key can impersonate either side. */
  if (st.st_mode & 077)
    return hr_error_plain (err, EPERM, "key file %s has mode %04o: it must be readable by its owner only (0600)",
                           path, (unsigned) (st.st_mode & 07777));
  if (st.st_uid != geteuid ())
    return hr_error_plain (err, EPERM, "key file %s belongs to uid %u, not to us (uid %u)", path,
                           (unsigned) st.st_uid, (unsigned) geteuid ());
  char *data = NULL;
  size_t len = 0;
  if (hr_read_all (fd, HR_MIG_KEY_MAX + 1, &data, &len, err) < 0)
    return hr_error_wrap (err, "read key file %s", path);
  if (len < HR_MIG_KEY_MIN || len > HR_MIG_KEY_MAX)
    {
      explicit_bzero (data, len);
      free (data);
      return hr_error_plain (err, EINVAL, "key file %s has %zu bytes: a key has %d to %d bytes", path, len,
                             HR_MIG_KEY_MIN, HR_MIG_KEY_MAX);
    }
  key->data = (unsigned char *) data;
  key->len = len;
  return 0;
}

void
hr_mig_key_clear (struct hr_mig_key *key)
{
  if (key->data)
    {
      explicit_bzero (key->data, key->len);
      free (key->data);
    }
  *key = (struct hr_mig_key) { 0 };
}

int
hr_mig_parse_addr (const char *s, struct sockaddr_storage *sa, socklen_t *len, hr_err *err)
{
  char host[64];
  const char *colon, *port_s;

  memset (sa, 0, sizeof (*sa));
  if (s == NULL || *s == '\0')
    return hr_error_plain (err, EINVAL, "address is empty: expected ADDR:PORT");
  if (s[0] == '[')
    {
      const char *close = strchr (s, ']');
      if (close == NULL || close[1] != ':' || (size_t) (close - s - 1) >= sizeof (host))
        return hr_error_plain (err, EINVAL, "invalid address %s: expected [IPV6]:PORT", s);
      memcpy (host, s + 1, close - s - 1);
      host[close - s - 1] = '\0';
      port_s = close + 2;
    }
  else
    {
      colon = strrchr (s, ':');
      if (colon == NULL || strchr (s, ':') != colon || (size_t) (colon - s) >= sizeof (host))
        return hr_error_plain (err, EINVAL, "invalid address %s: expected ADDR:PORT (IPv6 as [ADDR]:PORT)", s);
      memcpy (host, s, colon - s);
      host[colon - s] = '\0';
      port_s = colon + 1;
    }
  char *end = NULL;
  errno = 0;
  unsigned long port = *port_s >= '0' && *port_s <= '9' ? strtoul (port_s, &end, 10) : 0;
  if (end == NULL || *end != '\0' || errno != 0 || port == 0 || port > 65535)
    return hr_error_plain (err, EINVAL, "invalid port in %s: expected 1 to 65535", s);

  struct sockaddr_in *in4 = (struct sockaddr_in *) sa;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) sa;
  if (s[0] != '[' && inet_pton (AF_INET, host, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons ((uint16_t) port);
      *len = sizeof (*in4);
      return 0;
    }
  if (s[0] == '[' && inet_pton (AF_INET6, host, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t) port);
      *len = sizeof (*in6);
      return 0;
    }
  return hr_error_plain (err, EINVAL, "invalid address %s: %s is not a numeric IP%s address", s, host,
                         s[0] == '[' ? "v6" : "v4");
}

struct hr_mig_chan
{
  int fd;
  pthread_mutex_t send_lock;    /* one message at a time (the keepalive thread sends too) */
  double op_start;              /* when the current send or receive began */
  gnutls_session_t session;
  gnutls_psk_client_credentials_t client_cred;
  gnutls_psk_server_credentials_t server_cred;
  const struct hr_mig_key *key; /* the server's callback reads it */
  unsigned timeout_ms;
  bool healthy;                 /* no error yet: a close_notify may be sent */
  uint64_t sent;
  char peer[80];
};

static void
set_socket_timeouts (int fd, unsigned timeout_ms)
{
  struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
  unsigned int ut = timeout_ms;
  /* A send into a dead link blocks once the socket buffer is full: bound
     it, and have TCP give up on unacknowledged data after as long (a cut
     link is then an error on both sides, not a hang). */
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof (tv));
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  setsockopt (fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof (ut));
}


static void
describe_peer (const struct sockaddr_storage *sa, char *out, size_t n)
{
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, sizeof (host));
      snprintf (out, n, "%s:%u", host, ntohs (in->sin_port));
    }
  else
    {
      const struct sockaddr_in6 *in = (const struct sockaddr_in6 *) sa;
      inet_ntop (AF_INET6, &in->sin6_addr, host, sizeof (host));
      snprintf (out, n, "[%s]:%u", host, ntohs (in->sin6_port));
    }
}

void
hr_mig_close (struct hr_mig_chan *chan)
{
  if (chan == NULL)
    return;
  if (chan->session)
    {
      if (chan->healthy)
        tls.gnutls_bye (chan->session, GNUTLS_SHUT_WR);
      tls.gnutls_deinit (chan->session);
    }
  if (chan->client_cred)
    tls.gnutls_psk_free_client_credentials (chan->client_cred);
  if (chan->server_cred)
    tls.gnutls_psk_free_server_credentials (chan->server_cred);
  if (chan->fd >= 0)
    close (chan->fd);
  pthread_mutex_destroy (&chan->send_lock);
  free (chan);
}

/* The server's side of the PSK: one identity, our key. */
static int
server_psk (gnutls_session_t session, const char *identity, gnutls_datum_t *out)
{
  struct hr_mig_chan *chan = tls.gnutls_session_get_ptr (session);
  if (identity == NULL || strcmp (identity, HR_MIG_PSK_IDENTITY) != 0)
    return -1;
  out->data = (*tls.malloc_fn) (chan->key->len);
  if (out->data == NULL)
    return -1;
  memcpy (out->data, chan->key->data, chan->key->len);
  out->size = (unsigned) chan->key->len;
  return 0;
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static int
tls_fail (struct hr_mig_chan *chan, int r, const char *what, hr_err *err)
{
  int e = errno;
  chan->healthy = false;
  if (hr_mig_interrupted)
    return hr_error_plain (err, EINTR, "%s %s: interrupted by signal %d", what, chan->peer, hr_mig_interrupted);
  /* EAGAIN is the socket timeout only when the time went by; sooner, the
     connection itself failed (a peer killed: reset). */
  if ((r == GNUTLS_E_TIMEDOUT || r == GNUTLS_E_AGAIN) && now_ms () - chan->op_start + 100 >= chan->timeout_ms)
    return hr_error_plain (err, ETIMEDOUT, "%s %s: no progress for %u ms (link down or peer stuck?)", what,
                           chan->peer, chan->timeout_ms);
  if (r == GNUTLS_E_TIMEDOUT || r == GNUTLS_E_AGAIN)
    return hr_error_plain (err, ECONNRESET, "%s %s: the connection failed (%s)", what, chan->peer,
                           e && e != EAGAIN ? strerror (e) : "the peer went away");
  if (r == GNUTLS_E_PREMATURE_TERMINATION || r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR)
    {
      if (e == ETIMEDOUT)
        return hr_error_plain (err, ETIMEDOUT, "%s %s: the connection timed out after %u ms without progress",
                               what, chan->peer, chan->timeout_ms);
      return hr_error_plain (err, ECONNRESET, "%s %s: the peer closed the connection (%s)", what, chan->peer,
                             tls.gnutls_strerror (r));
    }
  return hr_error_plain (err, EPROTO, "%s %s: %s", what, chan->peer, tls.gnutls_strerror (r));
}

/* Both sides run this after the TCP connection exists. */
static int
handshake (struct hr_mig_chan *chan, bool server, const struct hr_mig_key *key, hr_err *err)
{
  int r;

  if (tls.gnutls_init (&chan->session, server ? GNUTLS_SERVER : GNUTLS_CLIENT) < 0)
    return hr_error_plain (err, ENOMEM, "migration: cannot start a TLS session");
  tls.gnutls_session_set_ptr (chan->session, chan);
  chan->key = key;
  if (server)
    {
      if (tls.gnutls_psk_allocate_server_credentials (&chan->server_cred) < 0)
        return hr_error_plain (err, ENOMEM, "migration: cannot allocate TLS credentials");
      tls.gnutls_psk_set_server_credentials_function (chan->server_cred, server_psk);
      r = tls.gnutls_credentials_set (chan->session, GNUTLS_CRD_PSK, chan->server_cred);
    }
  else
    {
      gnutls_datum_t k = { .data = key->data, .size = (unsigned) key->len };
      if (tls.gnutls_psk_allocate_client_credentials (&chan->client_cred) < 0)
        return hr_error_plain (err, ENOMEM, "migration: cannot allocate TLS credentials");
      r = tls.gnutls_psk_set_client_credentials (chan->client_cred, HR_MIG_PSK_IDENTITY, &k, GNUTLS_PSK_KEY_RAW);
      if (r >= 0)
        r = tls.gnutls_credentials_set (chan->session, GNUTLS_CRD_PSK, chan->client_cred);
    }
  if (r >= 0)
    r = tls.gnutls_priority_set_direct (chan->session, HR_MIG_PRIORITY, NULL);
  if (r < 0)
    return hr_error_plain (err, EPROTO, "migration: TLS setup: %s", tls.gnutls_strerror (r));
  tls.gnutls_transport_set_int2 (chan->session, chan->fd, chan->fd);
  tls.gnutls_handshake_set_timeout (chan->session, chan->timeout_ms);
  tls.gnutls_record_set_timeout (chan->session, chan->timeout_ms);
  do
    r = tls.gnutls_handshake (chan->session);
  while (r < 0 && !tls.gnutls_error_is_fatal (r) && r != GNUTLS_E_AGAIN && !hr_mig_interrupted);
  if (r < 0)
    {
      chan->healthy = false;
      if (hr_mig_interrupted || r == GNUTLS_E_TIMEDOUT || r == GNUTLS_E_AGAIN)
        return tls_fail (chan, r, "TLS handshake with", err);
      /* A PSK mismatch shows as a bad binder (server) or a decryption
         failure / alert (client): either way the keys differ, or the
         peer is not hydra-runc. */
      return hr_error_plain (err, EACCES,
                             "authentication failed with %s: the peer does not have the same key (%s)", chan->peer,
                             tls.gnutls_strerror (r));
    }
  chan->healthy = true;
  return 0;
}

int
hr_mig_listen (const char *addr, hr_err *err)
{
  struct sockaddr_storage sa;
  socklen_t len;
  int one = 1;

  if (hr_mig_parse_addr (addr, &sa, &len, err) < 0)
    return -1;
  _cleanup_close_ int fd = socket (sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return hr_error_set (err, errno, "socket for %s", addr);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  if (sa.ss_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof (one));
  if (bind (fd, (struct sockaddr *) &sa, len) < 0)
    return hr_error_set (err, errno, "bind %s", addr);
  /* One migration: no queue for others. */
  if (listen (fd, 1) < 0)
    return hr_error_set (err, errno, "listen on %s", addr);
  return TAKE_FD (fd);
}

static struct hr_mig_chan *
chan_new (int fd, unsigned timeout_ms)
{
  struct hr_mig_chan *chan = xmalloc0 (sizeof (*chan));
  pthread_mutex_init (&chan->send_lock, NULL);
  chan->fd = fd;
  chan->timeout_ms = timeout_ms;
  return chan;
}

int
hr_mig_accept (int listen_fd, const struct hr_mig_key *key, unsigned timeout_ms, struct hr_mig_chan **out,
               hr_err *err)
{
  struct sockaddr_storage peer;
  socklen_t plen = sizeof (peer);
  int fd;

  if (load_gnutls (err) < 0)
    return -1;
  do
    fd = accept4 (listen_fd, (struct sockaddr *) &peer, &plen, SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR && !hr_mig_interrupted);
  if (fd < 0)
    return hr_mig_interrupted ? hr_error_plain (err, EINTR, "waiting for the source: interrupted by signal %d",
                                                hr_mig_interrupted)
                              : hr_error_set (err, errno, "accept");
  _cleanup_ (hr_mig_closep) struct hr_mig_chan *chan = chan_new (fd, timeout_ms);
  describe_peer (&peer, chan->peer, sizeof (chan->peer));
  set_socket_timeouts (fd, timeout_ms);
  if (handshake (chan, true, key, err) < 0)
    return -1;
  *out = chan;
  chan = NULL;
  return 0;
}

int
hr_mig_connect (const char *addr, const struct hr_mig_key *key, unsigned timeout_ms, struct hr_mig_chan **out,
                hr_err *err)
{
  struct sockaddr_storage sa;
  socklen_t len;

  if (hr_mig_parse_addr (addr, &sa, &len, err) < 0 || load_gnutls (err) < 0)
    return -1;
  int fd = socket (sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return hr_error_set (err, errno, "socket for %s", addr);
  _cleanup_ (hr_mig_closep) struct hr_mig_chan *chan = chan_new (fd, timeout_ms);
  describe_peer (&sa, chan->peer, sizeof (chan->peer));
  set_socket_timeouts (fd, timeout_ms);
  /* connect honours SO_SNDTIMEO: an unreachable target is an error after
     the timeout, not after the kernel's two minutes. */
  if (connect (fd, (struct sockaddr *) &sa, len) < 0)
    {
      if (errno == EINPROGRESS || errno == EAGAIN)
        return hr_error_plain (err, ETIMEDOUT, "connect to %s: no answer in %u ms", addr, timeout_ms);
      return hr_error_set (err, errno, "connect to %s", addr);
    }
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  if (handshake (chan, false, key, err) < 0)
    return -1;
  *out = chan;
  chan = NULL;
  return 0;
}

int
hr_mig_send_all (struct hr_mig_chan *chan, const void *buf, size_t len, hr_err *err)
{
  const char *p = buf;
  /* A signal that came while we were elsewhere (in CRIU) ends the
     migration at the next word on the channel. */
  if (hr_mig_interrupted)
    return tls_fail (chan, GNUTLS_E_INTERRUPTED, "send to", err);
  /* After a failed send GnuTLS holds half a record, and the next send
     would flush it first: nothing more goes out on a broken session. */
  if (!chan->healthy)
    return hr_error_plain (err, ECONNRESET, "send to %s: the connection already failed", chan->peer);
  chan->op_start = now_ms ();
  while (len > 0)
    {
      ssize_t r = tls.gnutls_record_send (chan->session, p, len);
      if (r == GNUTLS_E_INTERRUPTED && !hr_mig_interrupted)
        continue;
      if (r < 0)
        return tls_fail (chan, (int) r, "send to", err);
      if ((size_t) r > len)
        return tls_fail (chan, GNUTLS_E_INTERNAL_ERROR, "send to", err);
      p += r;
      len -= (size_t) r;
      chan->sent += (uint64_t) r;
    }
  return 0;
}

int
hr_mig_recv_all (struct hr_mig_chan *chan, void *buf, size_t len, hr_err *err)
{
  char *p = buf;
  if (hr_mig_interrupted)
    return tls_fail (chan, GNUTLS_E_INTERRUPTED, "receive from", err);
  chan->op_start = now_ms ();
  while (len > 0)
    {
      ssize_t r = tls.gnutls_record_recv (chan->session, p, len);
      if (r == GNUTLS_E_INTERRUPTED && !hr_mig_interrupted)
        continue;
      if (r == 0)
        {
          chan->healthy = false;
          return hr_error_plain (err, ECONNRESET, "%s closed the connection", chan->peer);
        }
      if (r < 0)
        return tls_fail (chan, (int) r, "receive from", err);
      p += r;
      len -= (size_t) r;
    }
  return 0;
}

uint64_t
hr_mig_bytes_sent (const struct hr_mig_chan *chan)
{
  return chan->sent;
}


bool
hr_mig_readable (struct hr_mig_chan *chan)
{
  struct pollfd pfd = { .fd = chan->fd, .events = POLLIN };
  if (!chan->healthy)
    return false;
  return tls.gnutls_record_check_pending (chan->session) > 0 || poll (&pfd, 1, 0) > 0;
}

void
hr_mig_drain (struct hr_mig_chan *chan, unsigned ms)
{
  char buf[16384];
  struct timespec start, now;

  if (!chan->healthy)
    return;
  clock_gettime (CLOCK_MONOTONIC, &start);
  tls.gnutls_record_set_timeout (chan->session, ms);
  for (;;)
    {
      ssize_t r = tls.gnutls_record_recv (chan->session, buf, sizeof (buf));
      if (r <= 0 && r != GNUTLS_E_INTERRUPTED && r != GNUTLS_E_AGAIN)
        break;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= (long) ms)
        break;
    }
  chan->healthy = false;
}

void
hr_mig_forget (struct hr_mig_chan *chan)
{
  if (chan == NULL)
    return;
  /* Another process owns the session now: no close_notify from here. */
  chan->healthy = false;
  hr_mig_close (chan);
}

int
hr_mig_relay (struct hr_mig_chan *chan, int sock, uint64_t *sent, hr_err *err)
{
  char buf[65536];
  bool from_peer = true, to_peer = true;

  *sent = 0;
  while (from_peer || to_peer)
    {
      struct pollfd pfd[2] = { { .fd = chan->fd, .events = from_peer ? POLLIN : 0 },
                               { .fd = sock, .events = to_peer ? POLLIN : 0 } };
      bool pending = from_peer && tls.gnutls_record_check_pending (chan->session) > 0;
      if (!pending)
        {
          /* CRIU's lazy-pages daemon pushes every page it was not asked
             for: a silent channel is a dead one. */
          int n = poll (pfd, 2, (int) chan->timeout_ms);
          if (n < 0 && errno == EINTR && !hr_mig_interrupted)
            continue;
          if (n == 0)
            return hr_error_plain (err, ETIMEDOUT, "relay with %s: no page traffic for %u ms", chan->peer,
                                   chan->timeout_ms);
          if (n < 0)
            return hr_mig_interrupted ? hr_error_plain (err, EINTR, "relay: interrupted by signal %d",
                                                        hr_mig_interrupted)
                                      : hr_error_set (err, errno, "relay: poll");
        }
      if (pending || (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          ssize_t r = tls.gnutls_record_recv (chan->session, buf, sizeof (buf));
          if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN)
            continue;
          if (r < 0)
            return tls_fail (chan, (int) r, "relay from", err);
          if (r == 0)
            {
              /* The peer's CRIU is done sending: so is ours told. */
              from_peer = false;
              shutdown (sock, SHUT_WR);
            }
          else if (hr_write_all_nosigpipe (sock, buf, (size_t) r) < 0)
            return hr_error_set (err, errno, "relay: write to criu");
        }
      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t r = read (sock, buf, sizeof (buf));
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            {
              to_peer = false;
              if (chan->healthy)
                tls.gnutls_bye (chan->session, GNUTLS_SHUT_WR);
              /* Our CRIU closed: nothing more will come from the peer's
                 side that anyone reads. */
              if (r < 0 || !from_peer)
                break;
              continue;
            }
          if (hr_mig_send_all (chan, buf, (size_t) r, err) < 0)
            return -1;
          *sent += (uint64_t) r;
        }
    }
  return 0;
}

void
hr_mig_lock_send (struct hr_mig_chan *chan)
{
  pthread_mutex_lock (&chan->send_lock);
}

void
hr_mig_unlock_send (struct hr_mig_chan *chan)
{
  pthread_mutex_unlock (&chan->send_lock);
}

int
hr_mig_wait_close (struct hr_mig_chan *chan, hr_err *err)
{
  char buf[4096];

  if (!chan->healthy)
    return hr_error_plain (err, ECONNRESET, "%s: the connection already failed", chan->peer);
  chan->op_start = now_ms ();
  for (;;)
    {
      ssize_t r = tls.gnutls_record_recv (chan->session, buf, sizeof (buf));
      if (r == 0)
        {
          /* close_notify: the peer ended the session on purpose. */
          chan->healthy = false;
          return 0;
        }
      if (r > 0 || (r == GNUTLS_E_INTERRUPTED && !hr_mig_interrupted))
        continue; /* keepalives sent before our last word arrived */
      return tls_fail (chan, (int) r, "wait for the end of the session with", err);
    }
}
