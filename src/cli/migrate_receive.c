/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc migrate-receive: wait for one migration of a container and
   restore it here from the bundle (docs/migration.md). */
#include <config.h>
#include "cli.h"

#include <errno.h>

static int
cmd_migrate_receive (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_migrate_receive_opts ro = { 0 };
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  int timeout = 30, status;
  pid_t pid = 0;
  hr_err err = NULL;
  const struct hr_opt opts[] = {
    { "bundle", "b", HR_OPT_STRING, &ro.bundle, "path to the bundle the container is restored from", NULL },
    { "listen", NULL, HR_OPT_STRING, &ro.listen, "ADDR:PORT to wait on (only that address is bound)", NULL },
    { "key", NULL, HR_OPT_STRING, &ro.key_file, "file with the key both hosts share (mode 0600)", NULL },
    { "timeout", NULL, HR_OPT_INT, &timeout, "seconds without progress before giving up", "30" },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (timeout < 1)
    {
      hr_error_plain (&err, EINVAL, "--timeout must be at least 1");
      return cli_fail (&err);
    }
  ro.timeout_s = (unsigned) timeout;
  if (hr_container_migrate_receive (ctx, args.args[0], &ro, &pid, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_migrate_receive = {
  .name = "migrate-receive",
  .summary = "wait for a container migrated from another host and run it",
  .usage = "[command options] <container-id>",
  .description =
    "   The migrate-receive command waits on --listen for one \"migrate\" of the\n"
    "container <container-id> from another host, authenticated with the key in\n"
    "--key, and restores it from the bundle (the same image content as the\n"
    "source's).  It exits 0 once the container runs here.",
  .run = cmd_migrate_receive,
};
