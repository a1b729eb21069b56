/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc exec: run a new process inside a running container.  Options
   end at the container id (runc's exec has SkipArgReorder): in
   `exec ID sh -c X`, "-c" belongs to sh, not to --cap. */
#include <config.h>
#include "cli.h"

#include <string.h>

/* runc exits 255 when exec itself fails, so a caller can tell that from
   the process's own exit status (1 is common). */
#define EXEC_FAILED 255

static int
cmd_exec (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  struct hr_exec_opts eo = { 0 };
  hr_err err = NULL;
  int exit_code = 0, ret;
  const struct hr_opt opts[] = {
    { "console-socket", NULL, HR_OPT_STRING, &eo.console_socket, CLI_HELP_CONSOLE_SOCKET, NULL },
    { "cwd", NULL, HR_OPT_STRING, &eo.cwd, "current working directory in the container", NULL },
    { "env", "e", HR_OPT_STRV, &eo.env, "set environment variables", NULL },
    { "tty", "t", HR_OPT_BOOL, &eo.tty, "allocate a pseudo-TTY", NULL },
    { "user", "u", HR_OPT_STRING, &eo.user, "UID (format: <uid>[:<gid>])", NULL },
    { "additional-gids", "g", HR_OPT_STRV, &eo.additional_gids, "additional gids", NULL },
    { "process", "p", HR_OPT_STRING, &eo.process, "path to the process.json", NULL },
    { "detach", "d", HR_OPT_BOOL, &eo.detach, "detach from the container's process", NULL },
    { "pid-file", NULL, HR_OPT_STRING, &eo.pid_file, CLI_HELP_PID_FILE, NULL },
    { "pidfd-socket", NULL, HR_OPT_STRING, &eo.pidfd_socket,
      "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process", NULL },
    { "process-label", NULL, HR_OPT_STRING, &eo.process_label,
      "set the asm process label for the process commonly used with selinux", NULL },
    { "apparmor", NULL, HR_OPT_STRING, &eo.apparmor, "set the apparmor profile for the process", NULL },
    { "no-new-privs", NULL, HR_OPT_BOOL, &eo.no_new_privs, "set the no new privileges value for the process",
      NULL },
    { "cap", "c", HR_OPT_STRV, &eo.caps, "add a capability to the bounding set for the process", NULL },
    { "preserve-fds", NULL, HR_OPT_INT, &eo.preserve_fds,
      "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", "0" },
    { "ignore-paused", NULL, HR_OPT_BOOL, &eo.ignore_paused, "allow exec in a paused container", NULL },
    { "cgroup", NULL, HR_OPT_STRING, &eo.cgroup, "run the process in an (existing) sub-cgroup of the container's cgroup",
      NULL },
    { NULL },
  };

  if (hr_opts_parse (opts, argc, argv, HR_OPTS_STOP_AT_ARG, &args, &err) < 0)
    {
      ret = cli_fail (&err);
      goto out;
    }
  if (args.help)
    {
      cli_print_command_help (self, opts);
      ret = 0;
      goto out;
    }
  if (args.nargs < 1)
    {
      hr_error_set (&err, 0, "%s: \"%s\" requires a minimum of 1 argument(s)", cli_argv0, self->name);
      ret = cli_fail (&err);
      goto out;
    }
  if (eo.preserve_fds < 0)
    {
      hr_error_set (&err, 0, "--preserve-fds must not be negative: %d", eo.preserve_fds);
      ret = cli_fail (&err);
      goto out;
    }
  eo.args = args.args + 1;
  if (hr_container_exec (ctx, args.args[0], &eo, &exit_code, &err) < 0)
    {
      hr_error_wrap (&err, "exec failed");
      cli_fail (&err);
      ret = EXEC_FAILED;
      goto out;
    }
  ret = eo.detach ? 0 : exit_code;

out:
  free (eo.env);
  free (eo.additional_gids);
  free (eo.caps);
  return ret;
}

const struct cli_command cli_cmd_exec = {
  .name = "exec",
  .summary = "execute new process inside the container",
  .usage = "[command options] <container-id> <command> [command options]  || -p process.json <container-id>",
  .description =
    "   The exec command runs a new process in the container with the id given.  Its\n"
    "attributes (env, cwd, user, capabilities, rlimits) default to the container's\n"
    "process; the flags override them, or --process gives the whole process.\n"
    "Without --detach it waits for the process and exits with its exit status\n"
    "(128+N when it was killed by signal N); exec's own failures exit 255.",
  .run = cmd_exec,
};
