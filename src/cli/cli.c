/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the subcommands: error reporting, option parsing with
   the argument count check, help output. */
#include <config.h>
#include "cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

const char *cli_argv0 = "hydra-runc";
const char *cli_progname = "hydra-runc";

int
cli_fail (hr_err *err)
{
  hr_log (HR_LOG_ERROR, "%s", (err && *err) ? (*err)->msg : "unknown error");
  hr_error_free (err);
  return 1;
}

/* runc's checkArgs, word for word (it names os.Args[0]): scripts and people
   compare these lines with runc's. */
static int
check_args (const char *cmd, size_t n, int min_args, int max_args, hr_err *err)
{
  if (min_args == max_args && n != (size_t) min_args)
    return hr_error_set (err, 0, "%s: \"%s\" requires exactly %d argument(s)", cli_argv0, cmd, min_args);
  if (n < (size_t) min_args)
    return hr_error_set (err, 0, "%s: \"%s\" requires a minimum of %d argument(s)", cli_argv0, cmd, min_args);
  if (max_args >= 0 && n > (size_t) max_args)
    return hr_error_set (err, 0, "%s: \"%s\" requires a maximum of %d argument(s)", cli_argv0, cmd, max_args);
  return 0;
}

bool
cli_parse (const struct cli_command *cmd, const struct hr_opt *opts, int argc, char **argv, int min_args,
           int max_args, struct hr_opts_result *res, int *status)
{
  hr_err err = NULL;

  if (hr_opts_parse (opts, argc, argv, HR_OPTS_REORDER, res, &err) < 0)
    {
      *status = cli_fail (&err);
      return false;
    }
  if (res->help)
    {
      cli_print_command_help (cmd, opts);
      *status = 0;
      return false;
    }
  if (check_args (cmd->name, res->nargs, min_args, max_args, &err) < 0)
    {
      *status = cli_fail (&err);
      return false;
    }
  return true;
}

/* The layout of urfave/cli's command help, which runc users know. */
void
cli_print_command_help (const struct cli_command *cmd, const struct hr_opt *opts)
{
  printf ("NAME:\n   %s %s - %s\n\n", cli_progname, cmd->name, cmd->summary);
  printf ("USAGE:\n   %s %s%s%s\n", cli_progname, cmd->name, cmd->usage[0] ? " " : "", cmd->usage);
  if (cmd->description)
    printf ("\nDESCRIPTION:\n%s\n", cmd->description);
  printf ("\nOPTIONS:\n");
  hr_opts_print_help (stdout, opts, "   ");
}

void
cli_print_document (const char *s)
{
  size_t len = strlen (s);

  fputs (s, stdout);
  if (len == 0 || s[len - 1] != '\n')
    fputc ('\n', stdout);
}

void
cli_unset_empty (const char **const *opts, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (*opts[i] && **opts[i] == '\0')
      *opts[i] = NULL;
}
