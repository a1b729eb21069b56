/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hydra-runc: global options, logging setup and the subcommand dispatch.
 *
 * The command line is runc's (1.1): containerd's shim, Podman/conmon and
 * CRI-O run us in its place, so option syntax, error texts and exit
 * statuses follow runc's.
 */
#include <config.h>
#include "git-commit.h"
#include "cli.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define OCI_SPEC_VERSION "1.3.0"

/* The dispatch table, in the order `--help` lists them. */
static const struct cli_command *const commands[] = {
  &cli_cmd_checkpoint,
  &cli_cmd_create,
  &cli_cmd_delete,
  &cli_cmd_events,
  &cli_cmd_exec,
  &cli_cmd_features,
  &cli_cmd_kill,
  &cli_cmd_list,
  &cli_cmd_migrate,
  &cli_cmd_migrate_receive,
  &cli_cmd_pause,
  &cli_cmd_ps,
  &cli_cmd_restore,
  &cli_cmd_resume,
  &cli_cmd_run,
  &cli_cmd_spec,
  &cli_cmd_start,
  &cli_cmd_state,
  &cli_cmd_update,
};
#define N_COMMANDS (sizeof (commands) / sizeof (commands[0]))

struct global_opts
{
  const char *root;
  const char *log;
  const char *log_format;
  const char *rootless;
  const char *criu;
  bool debug;
  bool systemd_cgroup;
  bool version;
};

static const struct cli_command *
find_command (const char *name)
{
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

static void
print_version (void)
{
  const char *libs = hr_lib_versions ();

  /* go-runc (containerd) parses the version only when the first line starts
     with "runc version ", so speak that way when installed as runc. */
  printf ("%s version %s\n", strcmp (cli_progname, "runc") == 0 ? "runc" : PACKAGE_NAME, PACKAGE_VERSION);
  printf ("commit: %s\n", GIT_COMMIT);
  printf ("spec: %s\n", OCI_SPEC_VERSION);
  if (libs && *libs)
    cli_print_document (libs);
}

static void
print_main_help (const struct hr_opt *opts)
{
  size_t width = 4;

  printf ("NAME:\n   %s - Open Container Initiative runtime\n\n", cli_progname);
  printf ("%s is a command line client for running applications packaged according to\n"
          "the Open Container Initiative (OCI) format, a drop-in replacement for runc.\n\n",
          cli_progname);
  printf ("To start a new instance of a container:\n\n    # %s run [ -b bundle ] <container-id>\n\n", cli_progname);
  printf ("USAGE:\n   %s [global options] command [command options] [arguments...]\n\n", cli_progname);
  printf ("VERSION:\n   %s\n\n", PACKAGE_VERSION);

  printf ("COMMANDS:\n");
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strlen (commands[i]->name) > width)
      width = strlen (commands[i]->name);
  if (width < strlen ("help, h"))
    width = strlen ("help, h");
  for (size_t i = 0; i < N_COMMANDS; i++)
    printf ("   %-*s  %s\n", (int) width, commands[i]->name, commands[i]->summary);
  printf ("   %-*s  %s\n\n", (int) width, "help, h", "Shows a list of commands or help for one command");

  printf ("GLOBAL OPTIONS:\n");
  hr_opts_print_help (stdout, opts, "   ");
}

/* "true", "false" or "auto" (runc also takes Go's other boolean spellings,
   and "" for auto). */
static int
parse_rootless (const char *s, int *out, hr_err *err)
{
  bool b;

  if (s == NULL || *s == '\0' || strcasecmp (s, "auto") == 0)
    {
      *out = -1;
      return 0;
    }
  if (hr_opts_parse_bool (s, &b) < 0)
    return hr_error_set (err, 0, "invalid --rootless value \"%s\": want true, false or auto", s);
  *out = b ? 1 : 0;
  return 0;
}

/* A help request for a command that does not exist: urfave/cli's words
   and exit status, which runc prints for `help foo`, `foo -h` and
   `foo --help` alike (scripts test for both). */
static int
no_help_topic (const char *topic)
{
  hr_err err = NULL;

  hr_error_set (&err, 0, "No help topic for '%s'", topic);
  cli_fail (&err);
  return 3;
}

/* `help [command]`. */
static int
run_help (const struct hr_opt *global, int nargs, char **args, struct hr_context *ctx)
{
  const struct cli_command *cmd;
  char *help_argv[3];

  if (nargs < 2)
    {
      print_main_help (global);
      return 0;
    }
  cmd = find_command (args[1]);
  if (cmd == NULL)
    return no_help_topic (args[1]);
  help_argv[0] = (char *) cmd->name;
  help_argv[1] = (char *) "--help";
  help_argv[2] = NULL;
  return cmd->run (cmd, ctx, 2, help_argv);
}

/* A full stdout (a closed pipe, /dev/full) must not look like success to an
   engine that parses what we print. */
static int
flush_stdout (int status)
{
  hr_err err = NULL;

  if (fflush (stdout) != 0 || ferror (stdout))
    {
      hr_error_set (&err, errno, "write to stdout");
      return status ? status : cli_fail (&err);
    }
  return status;
}

int
main (int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  _cleanup_free_ char *default_root = NULL;
  struct global_opts g = { .log_format = "text", .rootless = "auto" };
  struct hr_context ctx = { 0 };
  const struct cli_command *cmd;
  enum hr_log_format format;
  hr_err err = NULL;
  const char *slash;

  if (argc > 0 && argv[0] && *argv[0])
    {
      cli_argv0 = argv[0];
      slash = strrchr (argv[0], '/');
      cli_progname = slash ? slash + 1 : argv[0];
    }

  default_root = hr_default_root ();
  {
    _cleanup_free_ char *root_def = default_root ? xasprintf ("\"%s\"", default_root) : NULL;
    const struct hr_opt opts[] = {
      { "debug", NULL, HR_OPT_BOOL, &g.debug, "enable debug logging", NULL },
      { "log", NULL, HR_OPT_STRING, &g.log, "set the log file to write logs to (default is '/dev/stderr')", NULL },
      { "log-format", NULL, HR_OPT_STRING, &g.log_format, "set the log format ('text' (default), or 'json')",
        "\"text\"" },
      { "root", NULL, HR_OPT_STRING, &g.root,
        "root directory for storage of container state (this should be located in tmpfs)", root_def },
      { "systemd-cgroup", NULL, HR_OPT_BOOL, &g.systemd_cgroup,
        "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. "
        "\"system.slice:runc:434234\"", NULL },
      { "rootless", NULL, HR_OPT_STRING, &g.rootless, "ignore cgroup permission errors ('true', 'false', or 'auto')",
        "\"auto\"" },
      { "criu", NULL, HR_OPT_STRING, &g.criu, "path to the criu binary used for checkpoint and restore",
        "\"criu\"" },
      { "version", "v", HR_OPT_BOOL, &g.version, "print the version", NULL },
      { NULL },
    };

    /* The global options end at the subcommand name (Go's flag, no
       reordering), so the subcommand sees its own options. */
    if (hr_opts_parse (opts, argc, argv, HR_OPTS_STOP_AT_ARG, &args, &err) < 0)
      return cli_fail (&err);
    if (g.version)
      {
        print_version ();
        return flush_stdout (0);
      }
    if (args.help || args.nargs == 0)
      {
        print_main_help (opts);
        return flush_stdout (0);
      }

    if (strcmp (g.log_format, "text") == 0)
      format = HR_LOG_TEXT;
    else if (strcmp (g.log_format, "json") == 0)
      format = HR_LOG_JSON;
    else
      {
        hr_error_set (&err, 0, "invalid log-format: %s", g.log_format);
        return cli_fail (&err);
      }
    if (hr_log_init (g.log, format, g.debug) < 0)
      {
        hr_error_set (&err, errno, "open %s", g.log);
        return cli_fail (&err);
      }

    ctx.root = (g.root && *g.root) ? g.root : NULL;
    ctx.systemd_cgroup = g.systemd_cgroup;
    ctx.debug = g.debug;
    ctx.criu = (g.criu && *g.criu) ? g.criu : NULL;
    if (parse_rootless (g.rootless, &ctx.rootless, &err) < 0)
      return cli_fail (&err);

    if (strcmp (args.args[0], "help") == 0 || strcmp (args.args[0], "h") == 0)
      return flush_stdout (run_help (opts, (int) args.nargs, args.args, &ctx));
  }

  cmd = find_command (args.args[0]);
  /* runc (urfave/cli) answers an unknown command as it answers help for
     one, with exit status 3: engines and scripts test for both. */
  if (cmd == NULL)
    return no_help_topic (args.args[0]);
  return flush_stdout (cmd->run (cmd, &ctx, (int) args.nargs, args.args));
}
