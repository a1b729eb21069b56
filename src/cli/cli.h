/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the subcommands share.  Each subcommand lives in its own file and
 * exports one `struct cli_command`; main.c lists them in its dispatch table.
 *
 * A subcommand parses its options, calls the library, prints the result and
 * returns the exit status.  It reports a failure only through cli_fail(),
 * the single place where hydra-runc prints an error.
 */
#ifndef HYDRA_CLI_H
#define HYDRA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "cleanup.h"
#include "lib/hydra.h"
#include "opts.h"

struct cli_command
{
  const char *name;
  const char *summary;      /* one line, for the command list and NAME: */
  const char *usage;        /* after "<prog> <name> ", e.g. "[command options] <container-id>" */
  const char *description;  /* longer text for --help, or NULL */
  /* argv[0] is the command name.  Returns the exit status. */
  int (*run) (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv);
};

/* argv[0] as given (runc puts it in some messages) and its basename (for
   help and version output). */
extern const char *cli_argv0;
extern const char *cli_progname;

/* Report *err through the log (the --log file and stderr), free it and
   return 1, the exit status of a failed command. */
int cli_fail (hr_err *err);

/* Parse the command's options (options may follow arguments, as in runc)
   and check the argument count: between min_args and max_args (max_args < 0:
   no maximum).  Returns true when the command should go on; otherwise
   *status is the exit status: 0 after printing --help, 1 after a reported
   usage error. */
bool cli_parse (const struct cli_command *cmd, const struct hr_opt *opts, int argc, char **argv, int min_args,
                int max_args, struct hr_opts_result *res, int *status);

void cli_print_command_help (const struct cli_command *cmd, const struct hr_opt *opts);

/* Write s to stdout followed by a newline unless it already ends with one. */
void cli_print_document (const char *s);

/* Set each of the n string options that was given empty to NULL: an empty
   value is runc's "not given" (its flags default to ""), which the library
   spells NULL. */
void cli_unset_empty (const char **const *opts, size_t n);
#define CLI_UNSET_EMPTY(...)                                                                                          \
  cli_unset_empty ((const char **const[]) { __VA_ARGS__ },                                                           \
                   sizeof ((const char **const[]) { __VA_ARGS__ }) / sizeof (const char **))

/* runc's help texts for the flags several commands share (create, run,
   exec, restore), spelled once. */
#define CLI_HELP_CONSOLE_SOCKET                                                                                       \
  "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's "      \
  "pseudoterminal"
#define CLI_HELP_PIDFD_SOCKET                                                                                         \
  "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"
#define CLI_HELP_PID_FILE "specify the file to write the process id to"
#define CLI_HELP_NO_SUBREAPER "disable the use of the subreaper used to reap reparented processes"
#define CLI_HELP_NO_PIVOT                                                                                             \
  "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a "    \
  "ramdisk"
#define CLI_HELP_NO_NEW_KEYRING                                                                                       \
  "do not create a new session keyring for the container.  This will cause the container to inherit the calling "   \
  "processes session key"

/* The subcommands (one file each). */
extern const struct cli_command cli_cmd_create;
extern const struct cli_command cli_cmd_start;
extern const struct cli_command cli_cmd_run;
extern const struct cli_command cli_cmd_state;
extern const struct cli_command cli_cmd_kill;
extern const struct cli_command cli_cmd_delete;
extern const struct cli_command cli_cmd_events;
extern const struct cli_command cli_cmd_list;
extern const struct cli_command cli_cmd_spec;
extern const struct cli_command cli_cmd_features;
extern const struct cli_command cli_cmd_exec;
extern const struct cli_command cli_cmd_ps;
extern const struct cli_command cli_cmd_pause;
extern const struct cli_command cli_cmd_resume;
extern const struct cli_command cli_cmd_update;
extern const struct cli_command cli_cmd_checkpoint;
extern const struct cli_command cli_cmd_restore;
extern const struct cli_command cli_cmd_migrate;
extern const struct cli_command cli_cmd_migrate_receive;

#endif
