/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc state: print the container's state document (runc's shape). */
#include <config.h>
#include "cli.h"

static int
cmd_state (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  _cleanup_free_ char *json = NULL;
  struct hr_container_info info = { 0 };
  hr_err err = NULL;
  int status, ret;
  const struct hr_opt opts[] = { { NULL } };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (hr_container_state (ctx, args.args[0], &info, &err) < 0)
    return cli_fail (&err);
  ret = hr_state_to_json (&info, &json, &err);
  hr_container_info_free (&info);
  if (ret < 0)
    return cli_fail (&err);
  cli_print_document (json);
  return 0;
}

const struct cli_command cli_cmd_state = {
  .name = "state",
  .summary = "output the state of a container",
  .usage = "<container-id>",
  .description = "   The state command outputs current state information for the\ninstance of a container.",
  .run = cmd_state,
};
