/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc pause / resume: freeze and thaw every process of a container. */
#include <config.h>
#include "cli.h"

static int
cmd_pause_resume (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = { { NULL } };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if ((self == &cli_cmd_pause ? hr_container_pause : hr_container_resume) (ctx, args.args[0], &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_pause = {
  .name = "pause",
  .summary = "pause suspends all processes inside the container",
  .usage = "<container-id>",
  .description = "   The pause command suspends all processes in the instance of the container (cgroup freezer).",
  .run = cmd_pause_resume,
};

const struct cli_command cli_cmd_resume = {
  .name = "resume",
  .summary = "resumes all processes that have been previously paused",
  .usage = "<container-id>",
  .description = "   The resume command resumes all processes in the instance of the container.",
  .run = cmd_pause_resume,
};
