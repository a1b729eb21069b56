/* SPDX-License-Identifier: Apache-2.0 */
/* The values of checkpoint's and restore's flags, checked as runc checks
   them (see criu_opts.h). */
#include <config.h>
#include "criu_opts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* runc 1.2+ (libcontainer's criuCgMode): the four CRIU modes; an empty
   value leaves CRIU's default (soft).  runc 1.1 knew no "ignore". */
int
hr_criu_check_manage_cgroups_mode (const char *mode, hr_err *err)
{
  static const char *const modes[] = { "", "soft", "full", "strict", "ignore" };

  if (mode == NULL)
    return 0;
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp (mode, modes[i]) == 0)
      return 0;
  return hr_error_plain (err, EINVAL, "invalid manage-cgroups-mode value");
}

/* runc's criuOptions: "network" is the only namespace CRIU may leave empty
   (and runc always leaves it empty, since it does not manage network
   devices). */
int
hr_criu_check_empty_ns (char **namespaces, hr_err *err)
{
  for (char **ns = namespaces; ns && *ns; ns++)
    if (strcmp (*ns, "network") != 0)
      return hr_error_plain (err, EINVAL, "namespace \"%s\" is not supported", *ns);
  return 0;
}

/* Go's net.SplitHostPort, which runc applies to --page-server: "host:port"
   or "[v6-address]:port", nothing but the port after the last colon, no
   stray bracket.  On success the host is the host_len bytes at
   s + host_at, and *port the rest (either may be empty). */
static bool
split_host_port (const char *s, size_t *host_at, size_t *host_len, const char **port)
{
  const char *colon = strrchr (s, ':');
  size_t j = 0, k = 0;

  if (colon == NULL)
    return false;
  if (s[0] == '[')
    {
      const char *end = strchr (s, ']');
      if (end == NULL || end + 1 != colon)
        return false;
      *host_at = 1;
      *host_len = (size_t) (end - s) - 1;
      j = 1;
      k = (size_t) (end - s) + 1;
    }
  else
    {
      *host_at = 0;
      *host_len = (size_t) (colon - s);
      if (memchr (s, ':', *host_len) != NULL)
        return false;
    }
  if (strchr (s + j, '[') != NULL || strchr (s + k, ']') != NULL)
    return false;
  *port = colon + 1;
  return true;
}

/* runc's messages.  runc turns the port with strconv.Atoi and int32(): port
   0 there silently drops the page server and larger numbers wrap; here a
   port must be 1..65535 (docs/compat.md). */
int
hr_criu_parse_page_server (const char *s, char **host, int *port_out, hr_err *err)
{
  size_t host_at = 0, host_len = 0;
  const char *port = NULL;
  char *end = NULL;
  long n;

  if (!split_host_port (s, &host_at, &host_len, &port) || host_len == 0 || *port == '\0')
    return hr_error_plain (err, EINVAL, "Use --page-server ADDRESS:PORT to specify page server");
  /* Atoi's syntax: an optional sign and decimal digits (strtol would also
     skip leading blanks). */
  if (!(port[0] == '+' || (port[0] >= '0' && port[0] <= '9')))
    return hr_error_plain (err, EINVAL, "Invalid port number");
  errno = 0;
  n = strtol (port, &end, 10);
  if (errno != 0 || *end != '\0' || n < 1 || n > 65535)
    return hr_error_plain (err, EINVAL, "Invalid port number");
  if (host)
    *host = strndup (s + host_at, host_len);
  if (port_out)
    *port_out = (int) n;
  return 0;
}
