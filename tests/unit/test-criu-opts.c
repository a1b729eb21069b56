/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for checkpoint's and restore's value checks
   (src/lib/checkpoint/criu_opts.c): what runc 1.5 accepts, and runc's messages for
   what it refuses. */
#include <config.h>
#include "tap.h"
#include "checkpoint/criu_opts.h"

#include <string.h>

/* The message of the check's error, or NULL when it passed ("" when it
   failed without one, which is a bug). */
static const char *
msg_of (int rc, hr_err *err)
{
  static char buf[256];

  if (rc == 0 && *err == NULL)
    return NULL;
  snprintf (buf, sizeof buf, "%s", (rc < 0 && *err) ? (*err)->msg : "");
  hr_error_free (err);
  return buf;
}

static const char *
page_server (const char *s)
{
  hr_err err = NULL;
  return msg_of (hr_criu_parse_page_server (s, NULL, NULL, &err), &err);
}

static const char *
mode (const char *s)
{
  hr_err err = NULL;
  return msg_of (hr_criu_check_manage_cgroups_mode (s, &err), &err);
}

static const char *
empty_ns (char **list)
{
  hr_err err = NULL;
  return msg_of (hr_criu_check_empty_ns (list, &err), &err);
}

#define is_msg(got, want, ...)                                                                                   \
  do                                                                                                             \
    {                                                                                                            \
      const char *_mg = (got), *_mw = (want);                                                                    \
      int _same = (_mg == NULL && _mw == NULL) || (_mg && _mw && strcmp (_mg, _mw) == 0);                        \
      ok (_same, __VA_ARGS__);                                                                                   \
      if (!_same)                                                                                                \
        printf ("#   got:  '%s'\n#   want: '%s'\n", _mg ? _mg : "(passed)", _mw ? _mw : "(passed)");           \
    }                                                                                                            \
  while (0)

#define ADDR "Use --page-server ADDRESS:PORT to specify page server"
#define PORT "Invalid port number"

int
main (void)
{
  /* What net.SplitHostPort takes, with a port in range. */
  static const char *const good[] = { "10.0.0.1:27",     "host.example:65535", "[::1]:27", "[fe80::1%eth0]:1",
                                      "h:+80",           "h:1",                "h:00080",  "[h]:9",
                                      "0.0.0.0:27" };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    is_msg (page_server (good[i]), NULL, "page server '%s' is taken", good[i]);

  /* No host, no port, colons or brackets where SplitHostPort refuses them. */
  static const char *const bad_addr[] = { "",       "foo",    ":80",     "host:",   "a:b:c", "::1:80", "[::1:80",
                                          "[::1]80", "[::1]",  "h]:80",   "[h]]:80", "[[h]:80", "[]:80", "x[h]:80",
                                          ":" };
  for (size_t i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++)
    is_msg (page_server (bad_addr[i]), ADDR, "page server '%s': runc's ADDRESS:PORT message", bad_addr[i]);

  /* A host and a port, but not a port number (Atoi's syntax, then 1..65535). */
  static const char *const bad_port[] = { "h:abc", "h: 80",   "h:80 ", "h:0",  "h:65536", "h:-1", "h:0x50",
                                          "h:+",   "h:-",     "h:1e3", "h:99999999999999999999",
                                          "[::1]:0" };
  for (size_t i = 0; i < sizeof bad_port / sizeof bad_port[0]; i++)
    is_msg (page_server (bad_port[i]), PORT, "page server '%s': runc's port message", bad_port[i]);

  /* --manage-cgroups-mode: runc 1.2+'s four and the empty default, exactly. */
  static const char *const modes[] = { "soft", "full", "strict", "ignore", "" };
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    is_msg (mode (modes[i]), NULL, "mode '%s' is taken", modes[i]);
  is_msg (mode (NULL), NULL, "no mode is taken");
  static const char *const bad_modes[] = { "SOFT", "soft ", "props", "default", "Ignore", "s" };
  for (size_t i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++)
    is_msg (mode (bad_modes[i]), "invalid manage-cgroups-mode value", "mode '%s' refused", bad_modes[i]);

  /* --empty-ns: every entry is checked, only "network" passes. */
  char *net[] = { (char *) "network", (char *) "network", NULL };
  char *later[] = { (char *) "network", (char *) "ipc", NULL };
  char *upper[] = { (char *) "NETWORK", NULL };
  char *none[] = { NULL };
  is_msg (empty_ns (NULL), NULL, "no --empty-ns");
  is_msg (empty_ns (none), NULL, "an empty list");
  is_msg (empty_ns (net), NULL, "network, twice");
  is_msg (empty_ns (later), "namespace \"ipc\" is not supported", "the second entry is checked too");
  is_msg (empty_ns (upper), "namespace \"NETWORK\" is not supported", "names are case-sensitive");

  return tap_done ();
}
