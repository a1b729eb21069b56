/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The option parser every subcommand shares.  It reproduces what runc's
 * command line does (Go's `flag` package driven by urfave/cli v1), because
 * engines were written against that behaviour:
 *
 *   --name=value  --name value  -name=value  -name value   (one or two dashes)
 *   --flag  --flag=true  --flag=false                        (booleans never
 *                                                             take the next arg)
 *   "--" ends the options; "-" alone is an argument.
 *   -h, -help, --help ask for help unless the table defines them.
 *
 * Error messages are Go's, word for word ("flag needs an argument: -pid-file",
 * "flag provided but not defined: -foo", ...), since people and tests compare
 * them with runc's.
 *
 * Where options may appear depends on the mode:
 *   HR_OPTS_STOP_AT_ARG: parsing stops at the first argument (Go's flag; what
 *     runc does for the global options, so the subcommand name ends them).
 *   HR_OPTS_REORDER: options may also follow arguments (urfave/cli v1 moves
 *     known options in front before parsing: `runc delete ID --force` works).
 *     An unknown option after an argument stays an argument, as in runc.
 *
 * The parser is pure: it writes only through the table's dest pointers and
 * the result, and prints nothing.
 */
#ifndef HYDRA_CLI_OPTS_H
#define HYDRA_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "error.h"

enum hr_opt_type
{
  HR_OPT_BOOL,    /* dest is bool * */
  HR_OPT_STRING,  /* dest is const char ** (points into argv) */
  HR_OPT_INT,     /* dest is int *; Go's strconv.ParseInt (s, 0, ...) syntax */
  HR_OPT_STRV,    /* dest is char ***: urfave's StringSlice, every use appends
                     (NULL-terminated; the caller frees the array, whose
                     strings point into argv) */
};

struct hr_opt
{
  const char *name;   /* long name without dashes: "pid-file"; NULL ends the table */
  const char *alias;  /* second name or NULL: "b" (also usable as --b, as in Go) */
  enum hr_opt_type type;
  void *dest;
  const char *help;   /* one line for --help */
  const char *def;    /* default shown by --help, or NULL */
};

enum hr_opts_mode
{
  HR_OPTS_STOP_AT_ARG = 0,
  HR_OPTS_REORDER = 1,
};

struct hr_opts_result
{
  char **args;   /* the arguments, NULL-terminated; pointers into argv */
  size_t nargs;
  bool help;     /* -h/--help was given (and nothing failed) */
};

/* Parse argv[1..argc-1] (argv[0] is the command name).  Returns 0 with *res
   filled, or -1 with *err set.  res->args is allocated even on failure;
   release it with hr_opts_result_clear. */
int hr_opts_parse (const struct hr_opt *opts, int argc, char **argv, enum hr_opts_mode mode,
                   struct hr_opts_result *res, hr_err *err);

static inline void
hr_opts_result_clear (struct hr_opts_result *res)
{
  free (res->args);
  res->args = NULL;
  res->nargs = 0;
}

/* The OPTIONS block of --help, urfave style ("--bundle value, -b value  ..."),
   including the implicit --help, -h line.  Each line starts with indent. */
void hr_opts_print_help (FILE *out, const struct hr_opt *opts, const char *indent);

/* Go's strconv.ParseBool and strconv.ParseInt (s, 0, 64) (range-checked to
   int here).  Return 0, or -1 with errno EINVAL (syntax) or ERANGE. */
int hr_opts_parse_bool (const char *s, bool *out);
int hr_opts_parse_int (const char *s, int *out);

#endif
