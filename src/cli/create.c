/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc create: set the container up, stopped before the user process. */
#include <config.h>
#include "cli.h"

static int
cmd_create (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_create_opts copts = { .bundle = "." };
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = {
    { "bundle", "b", HR_OPT_STRING, &copts.bundle,
      "path to the root of the bundle directory, defaults to the current directory", NULL },
    { "console-socket", NULL, HR_OPT_STRING, &copts.console_socket, CLI_HELP_CONSOLE_SOCKET, NULL },
    { "pidfd-socket", NULL, HR_OPT_STRING, &copts.pidfd_socket, CLI_HELP_PIDFD_SOCKET, NULL },
    { "pid-file", NULL, HR_OPT_STRING, &copts.pid_file, CLI_HELP_PID_FILE, NULL },
    { "no-pivot", NULL, HR_OPT_BOOL, &copts.no_pivot, CLI_HELP_NO_PIVOT, NULL },
    { "no-new-keyring", NULL, HR_OPT_BOOL, &copts.no_new_keyring, CLI_HELP_NO_NEW_KEYRING, NULL },
    { "preserve-fds", NULL, HR_OPT_INT, &copts.preserve_fds,
      "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", "0" },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (copts.preserve_fds < 0)
    {
      hr_error_set (&err, 0, "--preserve-fds must not be negative: %d", copts.preserve_fds);
      return cli_fail (&err);
    }
  if (hr_container_create (ctx, args.args[0], &copts, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_create = {
  .name = "create",
  .summary = "create a container",
  .usage = "[command options] <container-id>",
  .description =
    "   The create command creates an instance of a container for a bundle.  The bundle\n"
    "is a directory with a specification file named \"config.json\" and a root\n"
    "filesystem.  \"<container-id>\" is your name for the instance; it must be\n"
    "unique on the host.  The user process starts with \"start\".",
  .run = cmd_create,
};
