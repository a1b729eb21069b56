/* SPDX-License-Identifier: Apache-2.0 */
/* Live migration's pure parts: addresses, the protocol decoder (the peer
   is authenticated but decoded as hostile: names must never leave the
   work directory), CRIU's stats image, the key file rules.  No root. */
#include <config.h>
#include "tap.h"
#include "checkpoint/checkpoint.h"
#include "migrate/channel.h"
#include "migrate/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

static void
addr_ok (const char *s, int family, unsigned port)
{
  struct sockaddr_storage sa;
  socklen_t len = 0;
  hr_err err = NULL;
  int r = hr_mig_parse_addr (s, &sa, &len, &err);
  unsigned got = family == AF_INET ? ntohs (((struct sockaddr_in *) &sa)->sin_port)
                                   : ntohs (((struct sockaddr_in6 *) &sa)->sin6_port);
  ok (r == 0 && sa.ss_family == family && got == port, "address %s parses (%s)", s, err ? err->msg : "ok");
  hr_error_free (&err);
}

static void
addr_bad (const char *s)
{
  struct sockaddr_storage sa;
  socklen_t len = 0;
  hr_err err = NULL;
  int r = hr_mig_parse_addr (s, &sa, &len, &err);
  ok (r < 0 && err && hr_error_errno (err) == EINVAL, "address \"%s\" refused (%s)", s, err ? err->msg : "none");
  hr_error_free (&err);
}

static int
decode (uint32_t type, const void *p, size_t len, struct hr_mig_msg *m, hr_err *err)
{
  return hr_mig_decode (type, p, len, m, err);
}

static void
refused (uint32_t type, const void *p, size_t len, const char *what)
{
  struct hr_mig_msg m;
  hr_err err = NULL;
  int r = decode (type, p, len, &m, &err);
  ok (r < 0 && err && hr_error_errno (err) == EPROTO, "%s refused (%s)", what, err ? err->msg : "none");
  hr_error_free (&err);
}

static size_t
dir_msg (uint8_t *buf, const char *name, const char *parent)
{
  size_t n = strlen (name), p = strlen (parent);
  buf[0] = (uint8_t) n;
  memcpy (buf + 1, name, n);
  memcpy (buf + 1 + n, parent, p);
  return 1 + n + p;
}

static void
test_decode (void)
{
  struct hr_mig_msg m;
  hr_err err = NULL;
  uint8_t buf[2048];

  /* HELLO: version, mode, flags, id */
  const uint8_t hello[] = { 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 'c', '1' };
  ok (decode (HR_MIG_HELLO, hello, sizeof (hello), &m, &err) == 0 && m.version == 1 && m.mode == HR_MIG_PRE_COPY
        && m.flags == HR_MIG_F_TCP_ESTABLISHED && strcmp (m.id, "c1") == 0,
      "HELLO decodes");
  hr_error_free (&err);
  uint8_t h2[sizeof (hello)];
  memcpy (h2, hello, sizeof (hello));
  h2[4] = 9;
  refused (HR_MIG_HELLO, h2, sizeof (h2), "HELLO with an unknown mode");
  memcpy (h2, hello, sizeof (hello));
  h2[9] = 0x80;
  refused (HR_MIG_HELLO, h2, sizeof (h2), "HELLO with unknown flags");
  memcpy (h2, hello, sizeof (hello));
  h2[12] = '/';
  refused (HR_MIG_HELLO, h2, sizeof (h2), "HELLO with an invalid id");
  refused (HR_MIG_HELLO, hello, 12, "HELLO without an id");

  size_t n = dir_msg (buf, "pre-2", "pre-1");
  ok (decode (HR_MIG_DIR, buf, n, &m, &err) == 0 && strcmp (m.name, "pre-2") == 0 && strcmp (m.parent, "pre-1") == 0,
      "DIR with a parent decodes");
  hr_error_free (&err);
  n = dir_msg (buf, "final", "");
  ok (decode (HR_MIG_DIR, buf, n, &m, &err) == 0 && m.parent[0] == '\0', "DIR without a parent decodes");
  hr_error_free (&err);
  const char *bad_names[] = { "..", ".", "a/b", "../x", "x y", "", NULL };
  for (const char **b = bad_names; *b; b++)
    {
      n = dir_msg (buf, *b, "");
      refused (HR_MIG_DIR, buf, n, "DIR name that is not one plain component");
      n = dir_msg (buf, "d", *b);
      if (**b)
        refused (HR_MIG_DIR, buf, n, "DIR parent that is not one plain component");
    }
  n = dir_msg (buf, "d", "d");
  refused (HR_MIG_DIR, buf, n, "DIR that is its own parent");
  buf[0] = 200;
  refused (HR_MIG_DIR, buf, 5, "DIR whose name length passes the message");

  uint8_t file[8 + 12] = { 0x10, 0, 0, 0, 1, 0, 0, 0 };
  memcpy (file + 8, "pages-1.img", 11);
  ok (decode (HR_MIG_FILE, file, 19, &m, &err) == 0 && m.size == 0x100000010ull && strcmp (m.name, "pages-1.img") == 0,
      "FILE decodes a 64-bit size");
  hr_error_free (&err);
  memcpy (file + 8, "../etc/pass", 11);
  refused (HR_MIG_FILE, file, 19, "FILE name with a path");
  file[8] = '\0';
  refused (HR_MIG_FILE, file, 19, "FILE name with a NUL");

  uint8_t ready[4 + HR_MIG_TOKEN_LEN] = { HR_MIG_R_SEND_ROOTFS };
  for (int i = 0; i < HR_MIG_TOKEN_LEN; i++)
    ready[4 + i] = (uint8_t) (i + 1);
  ok (decode (HR_MIG_READY, ready, 4, &m, &err) == 0 && m.flags == HR_MIG_R_SEND_ROOTFS && !m.has_token,
      "READY without a token decodes");
  hr_error_free (&err);
  ok (decode (HR_MIG_READY, ready, sizeof (ready), &m, &err) == 0 && m.has_token && m.token[15] == 16,
      "READY with post-copy's token decodes");
  hr_error_free (&err);
  refused (HR_MIG_READY, ready, 10, "READY with half a token");
  ok (decode (HR_MIG_JOIN, ready + 4, HR_MIG_TOKEN_LEN, &m, &err) == 0 && m.has_token && m.token[0] == 1,
      "JOIN decodes its token");
  hr_error_free (&err);
  refused (HR_MIG_JOIN, ready, 4, "JOIN without a whole token");
  refused (HR_MIG_PING, ready, 1, "PING with a payload");
  refused (HR_MIG_ACK, ready, 1, "ACK with a payload");
  refused (HR_MIG_DONE, ready, 1, "DONE with a payload");
  refused (0, NULL, 0, "type 0");
  refused (HR_MIG_TYPE_MAX + 1, NULL, 0, "an unknown type");
  refused (HR_MIG_READY, buf, 3, "READY of 3 bytes");
  refused (HR_MIG_DATA, buf, 0, "empty DATA");
  refused (HR_MIG_ROOTFS, buf, 1, "ROOTFS with a payload");

  uint8_t hdr[HR_MIG_HEADER] = { HR_MIG_DATA, 0, 0, 0, 0, 0, 0x10, 0 }; /* 1 MiB */
  uint32_t t, l;
  ok (hr_mig_decode_header (hdr, &t, &l, &err) < 0 && hr_error_errno (err) == EPROTO,
      "a DATA header over the payload limit is refused before its payload is read (%s)", err ? err->msg : "none");
  hr_error_free (&err);

  const uint8_t text[] = { 'n', 'o', 0x1b, '[', '2', 'J', '\n' };
  ok (decode (HR_MIG_ERROR, text, sizeof (text), &m, &err) == 0 && strcmp (m.text, "no [2J ") == 0,
      "ERROR text loses its control characters");
  hr_error_free (&err);

  ok (hr_mig_mode_parse (NULL) == HR_MIG_STOP_COPY && hr_mig_mode_parse ("pre-copy") == HR_MIG_PRE_COPY
        && hr_mig_mode_parse ("post-copy") == HR_MIG_POST_COPY && hr_mig_mode_parse ("live") == -1,
      "modes parse");
}

/* A stats-dump CRIU 4.2 wrote for an idle busybox container. */
static const uint8_t stats_dump[] = {
  0x40, 0x59, 0x10, 0x55, 0x06, 0x33, 0x09, 0x57, 0x23, 0x00, 0x00, 0x00, 0x0a, 0x21, 0x08, 0xb3,
  0x03, 0x10, 0xd9, 0xab, 0x05, 0x18, 0x9f, 0x0c, 0x20, 0x99, 0x01, 0x28, 0x31, 0x30, 0x00, 0x38,
  0x22, 0x40, 0x00, 0x48, 0x00, 0x50, 0x08, 0x58, 0x08, 0x60, 0x00, 0x68, 0x00, 0x70, 0x00,
};

static void
test_stats (void)
{
  struct hr_criu_dump_stats st;
  hr_err err = NULL;

  ok (hr_criu_dump_stats_parse (stats_dump, sizeof (stats_dump), &st, &err) == 0 && st.freezing_time == 435
        && st.frozen_time == 87513 && st.memdump_time == 1567 && st.memwrite_time == 153 && st.pages_scanned == 49
        && st.pages_written == 34,
      "CRIU's stats-dump decodes (frozen %llu us, %llu pages written)", (unsigned long long) st.frozen_time,
      (unsigned long long) st.pages_written);
  hr_error_free (&err);
  for (size_t cut = 0; cut < sizeof (stats_dump); cut += 7)
    {
      int r = hr_criu_dump_stats_parse (stats_dump, cut, &st, &err);
      ok (r < 0 && err, "stats image cut at %zu bytes refused", cut);
      hr_error_free (&err);
    }
  uint8_t bad[sizeof (stats_dump)];
  memcpy (bad, stats_dump, sizeof (bad));
  bad[0] ^= 1;
  ok (hr_criu_dump_stats_parse (bad, sizeof (bad), &st, &err) < 0, "stats image with a wrong magic refused");
  hr_error_free (&err);
}

static void
write_key (const char *path, size_t len, mode_t mode)
{
  unlink (path);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  for (size_t i = 0; i < len; i++)
    if (write (fd, "k", 1) != 1)
      break;
  fchmod (fd, mode);
  close (fd);
}

static void
test_key (void)
{
  char path[] = "/tmp/hydra-test-key-XXXXXX";
  struct hr_mig_key key;
  hr_err err = NULL;
  int fd = mkstemp (path);
  close (fd);

  write_key (path, 32, 0600);
  ok (hr_mig_key_load (path, &key, &err) == 0 && key.len == 32, "a 32-byte key of mode 0600 loads");
  hr_error_free (&err);
  hr_mig_key_clear (&key);
  ok (key.data == NULL && key.len == 0, "the key is cleared");
  write_key (path, 32, 0640);
  ok (hr_mig_key_load (path, &key, &err) < 0 && err && strstr (err->msg, "0600"), "mode 0640 refused (%s)",
      err ? err->msg : "none");
  hr_error_free (&err);
  write_key (path, 32, 0604);
  ok (hr_mig_key_load (path, &key, &err) < 0, "mode 0604 refused");
  hr_error_free (&err);
  write_key (path, HR_MIG_KEY_MIN - 1, 0600);
  ok (hr_mig_key_load (path, &key, &err) < 0 && err && strstr (err->msg, "bytes"), "a short key refused (%s)",
      err ? err->msg : "none");
  hr_error_free (&err);
  write_key (path, HR_MIG_KEY_MAX + 1, 0600);
  ok (hr_mig_key_load (path, &key, &err) < 0, "a key over the limit refused");
  hr_error_free (&err);
  unlink (path);
  ok (hr_mig_key_load (path, &key, &err) < 0 && hr_error_errno (err) == ENOENT, "a missing key file refused");
  hr_error_free (&err);
}

int
main (void)
{
  addr_ok ("10.0.0.1:9000", AF_INET, 9000);
  addr_ok ("[::1]:65535", AF_INET6, 65535);
  addr_ok ("[fe80::1]:1", AF_INET6, 1);
  addr_bad ("10.0.0.1");
  addr_bad ("10.0.0.1:0");
  addr_bad ("10.0.0.1:65536");
  addr_bad ("10.0.0.1:-1");
  addr_bad ("10.0.0.1:9000x");
  addr_bad ("example.com:80");
  addr_bad ("::1:80");
  addr_bad ("[10.0.0.1]:80");
  addr_bad ("[::1]80");
  addr_bad ("");
  test_decode ();
  test_stats ();
  test_key ();
  return tap_done ();
}
