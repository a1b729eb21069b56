/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc events: container statistics and OOM notifications as JSON
   lines (runc's `events`). */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Go's time.ParseDuration for what people pass to --interval ("5s",
   "500ms", "1m30s", "1.5s"), in milliseconds (sub-millisecond parts round
   up so a tiny positive interval stays positive). */
static int
parse_duration (const char *s, double *ms, hr_err *err)
{
  static const struct { const char *unit; double ms; } units[] = {
    { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 }, { "s", 1e3 }, { "m", 60e3 }, { "h", 3600e3 },
  };
  const char *p = s;
  double total = 0;
  bool neg = false;

  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  if (strcmp (p, "0") == 0)
    {
      *ms = 0;
      return 0;
    }
  if (*p == '\0')
    goto bad;
  while (*p)
    {
      char *end;
      errno = 0;
      if (!((*p >= '0' && *p <= '9') || *p == '.'))
        goto bad;
      double v = strtod (p, &end);
      if (end == p || errno)
        goto bad;
      p = end;
      size_t best = 0, blen = 0;
      for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        {
          size_t l = strlen (units[i].unit);
          if (strncmp (p, units[i].unit, l) == 0 && l > blen)
            best = i, blen = l;
        }
      if (blen == 0)
        goto bad;
      total += v * units[best].ms;
      p += blen;
    }
  *ms = neg ? -total : total;
  return 0;
bad:
  return hr_error_plain (err, EINVAL, "invalid value \"%s\" for flag -interval: parse error", s);
}

static int
print_event (const char *json, void *data, hr_err *err)
{
  (void) data;
  if (fputs (json, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    return hr_error_set (err, errno, "write to stdout");
  return 0;
}

static int
cmd_events (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  const char *interval = "5s";
  bool stats = false, audit = false;
  hr_err err = NULL;
  double ms = 0;
  int status;
  const struct hr_opt opts[] = {
    { "interval", NULL, HR_OPT_STRING, &interval, "set the stats collection interval", "5s" },
    { "stats", NULL, HR_OPT_BOOL, &stats, "display the container's stats then exit", NULL },
    { "audit", NULL, HR_OPT_BOOL, &audit, "stream the sandbox's audit events (JSON lines) until the container is deleted",
      NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (audit)
    {
      if (hr_container_audit_events (ctx, args.args[0], print_event, NULL, &err) < 0)
        return cli_fail (&err);
      return 0;
    }
  if (parse_duration (interval, &ms, &err) < 0)
    return cli_fail (&err);
  if (ms <= 0)
    {
      hr_error_plain (&err, EINVAL, "duration interval must be greater than 0");
      return cli_fail (&err);
    }
  if (ms > 24.0 * 3600e3 * 365)
    ms = 24.0 * 3600e3 * 365;
  if (hr_container_events (ctx, args.args[0], stats, (unsigned) (ms + 0.999999), print_event, NULL, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_events = {
  .name = "events",
  .summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
  .usage = "[command options] <container-id>",
  .description = "   The events command displays information about the container. By default the\n"
                 "information is displayed once every 5 seconds.  With --audit it streams the\n"
                 "audit events of a sandboxed container (see hydra-runc spec --policy).",
  .run = cmd_events,
};
