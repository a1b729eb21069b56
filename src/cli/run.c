/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc run: create and start a container; unless detached, wait for
   it and exit with its exit status (engines and scripts rely on that). */
#include <config.h>
#include "cli.h"

static int
cmd_run (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_create_opts copts = { .bundle = "." };
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status, exit_code = 0;
  const struct hr_opt opts[] = {
    { "bundle", "b", HR_OPT_STRING, &copts.bundle,
      "path to the root of the bundle directory, defaults to the current directory", NULL },
    { "console-socket", NULL, HR_OPT_STRING, &copts.console_socket, CLI_HELP_CONSOLE_SOCKET, NULL },
    { "detach", "d", HR_OPT_BOOL, &copts.detach, "detach from the container's process", NULL },
    { "keep", NULL, HR_OPT_BOOL, &copts.keep, "do not delete the container after it exits", NULL },
    { "pidfd-socket", NULL, HR_OPT_STRING, &copts.pidfd_socket, CLI_HELP_PIDFD_SOCKET, NULL },
    { "pid-file", NULL, HR_OPT_STRING, &copts.pid_file, CLI_HELP_PID_FILE, NULL },
    { "no-subreaper", NULL, HR_OPT_BOOL, &copts.no_subreaper, CLI_HELP_NO_SUBREAPER, NULL },
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
  if (hr_container_run (ctx, args.args[0], &copts, &exit_code, &err) < 0)
    return cli_fail (&err);
  /* Detached: exit_code stays 0, the container runs on. */
  return copts.detach ? 0 : exit_code;
}

const struct cli_command cli_cmd_run = {
  .name = "run",
  .summary = "create and run a container",
  .usage = "[command options] <container-id>",
  .description =
    "   The run command creates an instance of a container for a bundle and starts\n"
    "its user process.  Without --detach it waits for the process and exits with\n"
    "its exit status (128+N when it was killed by signal N).",
  .run = cmd_run,
};
