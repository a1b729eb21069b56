/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc migrate: move a running container to another host, where
   `migrate-receive` waits for it (docs/migration.md; no runc command has
   this).  It prints what the move cost, and with --stats-json writes it
   for tools. */
#include <config.h>
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
write_stats (const char *path, const char *json, hr_err *err)
{
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    return hr_error_set (err, errno, "open --stats-json %s", path);
  if (hr_write_all (fd, json, strlen (json)) < 0 || hr_write_all (fd, "\n", 1) < 0)
    return hr_error_set (err, errno, "write --stats-json %s", path);
  return 0;
}

static int
cmd_migrate (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_migrate_opts mo = { 0 };
  struct hr_migrate_stats stats;
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  const char *stats_json = NULL;
  int max_rounds = 5, timeout = 30, status;
  hr_err err = NULL;
  const struct hr_opt opts[] = {
    { "to", NULL, HR_OPT_STRING, &mo.to, "ADDR:PORT of the target's migrate-receive", NULL },
    { "key", NULL, HR_OPT_STRING, &mo.key_file, "file with the key both hosts share (mode 0600)", NULL },
    { "mode", NULL, HR_OPT_STRING, &mo.mode, "stop-copy, pre-copy or post-copy", "stop-copy" },
    { "max-rounds", NULL, HR_OPT_INT, &max_rounds, "pre-copy: at most N pre-dump rounds", "5" },
    { "tcp-established", NULL, HR_OPT_BOOL, &mo.tcp_established, "migrate established tcp connections", NULL },
    { "sync-rootfs", NULL, HR_OPT_BOOL, &mo.sync_rootfs, "send the rootfs when the target's bundle has none",
      NULL },
    { "stats-json", NULL, HR_OPT_STRING, &stats_json, "write the migration's statistics as JSON to FILE", NULL },
    { "timeout", NULL, HR_OPT_INT, &timeout, "seconds without progress before giving up", "30" },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (max_rounds < 1 || timeout < 1)
    {
      hr_error_plain (&err, EINVAL, "%s must be at least 1", max_rounds < 1 ? "--max-rounds" : "--timeout");
      return cli_fail (&err);
    }
  mo.max_rounds = (unsigned) max_rounds;
  mo.timeout_s = (unsigned) timeout;
  if (hr_container_migrate (ctx, args.args[0], &mo, &stats, &err) < 0)
    return cli_fail (&err);
  printf ("migrated %s to %s: %s, downtime %.0f ms, total %.0f ms, %zu round(s), %llu bytes sent, CRIU frozen %.0f "
          "ms\n",
          args.args[0], mo.to, stats.mode, stats.downtime_ms, stats.total_ms, stats.n_rounds,
          (unsigned long long) stats.bytes_sent, stats.frozen_ms);
  fflush (stdout);
  if (stats_json)
    {
      _cleanup_free_ char *json = hr_migrate_stats_json (&stats);
      if (write_stats (stats_json, json, &err) < 0)
        return cli_fail (&err);
    }
  return 0;
}

const struct cli_command cli_cmd_migrate = {
  .name = "migrate",
  .summary = "move a running container to another host",
  .usage = "[command options] <container-id>",
  .description =
    "   The migrate command moves a running container to the host whose\n"
    "\"migrate-receive\" waits for it at --to, over a TLS channel both sides\n"
    "authenticate with the key in --key.  It exits 0 only when the container runs\n"
    "on the target and is gone here; on any failure before that, the container\n"
    "runs here again.",
  .run = cmd_migrate,
};
