/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc delete: remove a stopped (or, with --force, any) container. */
#include <config.h>
#include "cli.h"

static int
cmd_delete (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  bool force = false;
  int status;
  const struct hr_opt opts[] = {
    { "force", "f", HR_OPT_BOOL, &force, "Forcibly deletes the container if it is still running (uses SIGKILL)",
      NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (hr_container_delete (ctx, args.args[0], force, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_delete = {
  .name = "delete",
  .summary = "delete any resources held by the container often used with detached container",
  .usage = "[command options] <container-id>",
  .description =
    "   A stopped or created container is removed.  A running one is removed only\n"
    "with --force, which kills it with SIGKILL first; --force on an unknown\n"
    "container succeeds.",
  .run = cmd_delete,
};
