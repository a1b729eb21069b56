/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc kill: send a signal (default SIGTERM) to the container's init,
   or with --all to every process in it. */
#include <config.h>
#include "cli.h"

static int
cmd_kill (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  bool all = false;
  int status, signo;
  const struct hr_opt opts[] = {
    { "all", "a", HR_OPT_BOOL, &all, "send the specified signal to all processes inside the container", NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 2, &args, &status))
    return status;
  if (hr_parse_signal (args.nargs > 1 ? args.args[1] : "SIGTERM", &signo, &err) < 0)
    return cli_fail (&err);
  if (hr_container_kill (ctx, args.args[0], signo, all, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_kill = {
  .name = "kill",
  .summary = "kill sends the specified signal (default: SIGTERM) to the container's init process",
  .usage = "[command options] <container-id> [signal]",
  .description =
    "   \"[signal]\" is a name with or without the SIG prefix (\"KILL\", \"SIGKILL\")\n"
    "or a number; the default is SIGTERM.  For example:\n\n"
    "       # hydra-runc kill ubuntu01 KILL",
  .run = cmd_kill,
};
