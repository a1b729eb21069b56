/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc start: run the user process of a created container. */
#include <config.h>
#include "cli.h"

static int
cmd_start (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = { { NULL } };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (hr_container_start (ctx, args.args[0], &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_start = {
  .name = "start",
  .summary = "executes the user defined process in a created container",
  .usage = "<container-id>",
  .description = "   The start command executes the user defined process in a created container.",
  .run = cmd_start,
};
