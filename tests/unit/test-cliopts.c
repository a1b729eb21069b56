/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the command-line option parser (src/cli/opts.c): Go flag /
   urfave/cli v1 syntax and Go's error texts, as runc has them. */
#include <config.h>
#include "tap.h"
#include "cli/opts.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Like tap.h's is_str, whose inner variable shadows the one ok() declares
   (`int _c = !!(_c)`), so it cannot be used until tap.h is fixed. */
#define is_string(got, want, ...)                                            \
  do {                                                                       \
    const char *_sg = (got), *_sw = (want);                                  \
    int _same = (_sg == NULL && _sw == NULL) || (_sg && _sw && strcmp (_sg, _sw) == 0); \
    ok (_same, __VA_ARGS__);                                                 \
    if (!_same)                                                              \
      printf ("#   got:  '%s'\n#   want: '%s'\n", _sg ? _sg : "(null)", _sw ? _sw : "(null)"); \
  } while (0)

/* The options of `run`, enough to cover every kind. */
struct vals
{
  const char *bundle, *pid_file, *console;
  bool detach, keep, no_pivot;
  int fds;
};

#define TABLE(v)                                                              \
  const struct hr_opt opts[] = {                                              \
    { "bundle", "b", HR_OPT_STRING, &(v).bundle, "bundle dir", NULL },        \
    { "console-socket", NULL, HR_OPT_STRING, &(v).console, "socket", NULL },  \
    { "pid-file", NULL, HR_OPT_STRING, &(v).pid_file, "pid file", NULL },     \
    { "detach", "d", HR_OPT_BOOL, &(v).detach, "detach", NULL },              \
    { "keep", NULL, HR_OPT_BOOL, &(v).keep, "keep", NULL },                   \
    { "no-pivot", NULL, HR_OPT_BOOL, &(v).no_pivot, "no pivot", NULL },       \
    { "preserve-fds", NULL, HR_OPT_INT, &(v).fds, "fds", "0" },               \
    { NULL },                                                                 \
  }

/* Parse a NULL-terminated list (argv[0] = "run") and return the error
   message, or NULL on success. */
static char *
parse (struct vals *v, enum hr_opts_mode mode, struct hr_opts_result *res, const char *const *list)
{
  static char msg[512];
  char *argv[32];
  int argc = 0;
  hr_err err = NULL;
  TABLE (*v);

  memset (v, 0, sizeof (*v));
  argv[argc++] = (char *) "run";
  for (; *list; list++)
    argv[argc++] = (char *) *list;
  argv[argc] = NULL;
  hr_opts_result_clear (res);
  if (hr_opts_parse (opts, argc, argv, mode, res, &err) == 0)
    return NULL;
  snprintf (msg, sizeof (msg), "%s", err->msg);
  hr_error_free (&err);
  return msg;
}

#define P(mode, ...) parse (&v, mode, &res, (const char *const[]) { __VA_ARGS__, NULL })
#define R(...) P (HR_OPTS_REORDER, __VA_ARGS__)
#define S(...) P (HR_OPTS_STOP_AT_ARG, __VA_ARGS__)

static void
test_value_forms (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;

  is_string (R ("--pid-file=/p", "id"), NULL, "--opt=value parses");
  is_string (v.pid_file, "/p", "--opt=value sets the value");
  is_string (R ("--pid-file", "/p", "id"), NULL, "--opt value parses");
  is_string (v.pid_file, "/p", "--opt value sets the value");
  is_string (R ("-pid-file", "/p", "id"), NULL, "-opt value parses");
  is_string (v.pid_file, "/p", "-opt value sets the value");
  is_string (R ("-pid-file=/p", "id"), NULL, "-opt=value parses");
  is_string (v.pid_file, "/p", "-opt=value sets the value");
  is_string (R ("-b", "/b", "id"), NULL, "short alias -b");
  is_string (v.bundle, "/b", "-b sets bundle");
  is_string (R ("--b=/b2", "id"), NULL, "alias with two dashes (Go treats both alike)");
  is_string (v.bundle, "/b2", "--b= sets bundle");
  is_string (R ("--bundle=", "id"), NULL, "empty value with =");
  is_string (v.bundle, "", "--bundle= sets empty string");
  is_string (R ("--bundle=a=b", "id"), NULL, "value containing =");
  is_string (v.bundle, "a=b", "only the first = splits");
  is_string (R ("-b", "/1", "--bundle", "/2", "id"), NULL, "repeated option");
  is_string (v.bundle, "/2", "last one wins");
  is_string (R ("--pid-file", "--bundle", "id"), NULL, "value option takes the next arg whatever it looks like");
  is_string (v.pid_file, "--bundle", "pid-file is --bundle");
  ok (v.bundle == NULL, "bundle untouched");
  is_string (R ("--pid-file", "--", "id"), NULL, "value option takes -- as its value");
  is_string (v.pid_file, "--", "pid-file is --");
  is_int (res.nargs, 1, "id is the only arg");
  hr_opts_result_clear (&res);
}

static void
test_bools (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;

  is_string (R ("--detach", "id"), NULL, "--flag");
  ok (v.detach, "--flag sets true");
  is_string (R ("-d", "id"), NULL, "-d");
  ok (v.detach, "-d sets true");
  is_string (R ("--detach=true", "id"), NULL, "--flag=true");
  ok (v.detach, "--flag=true sets true");
  is_string (R ("--detach", "--detach=false", "id"), NULL, "--flag=false");
  ok (!v.detach, "--flag=false sets false");
  is_string (R ("-d=1", "-keep=T", "-no-pivot=F", "id"), NULL, "Go's other spellings");
  ok (v.detach && v.keep && !v.no_pivot, "1 and T are true, F is false");
  is_string (R ("--detach", "false"), NULL, "a bool never takes the next arg");
  ok (v.detach, "detach is true");
  is_int (res.nargs, 1, "false is an argument");
  is_string (res.args[0], "false", "args[0] is false");
  is_string (R ("-d=x", "id"), "invalid boolean value \"x\" for -d: parse error", "bad bool, runc's text");
  is_string (R ("--keep=", "id"), "invalid boolean value \"\" for -keep: parse error", "empty bool value");
  is_string (R ("--keep=yes", "id"), "invalid boolean value \"yes\" for -keep: parse error", "yes is not Go");
  hr_opts_result_clear (&res);
}

static void
test_ints (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;
  static const struct
  {
    const char *s;
    int want;
  } good[] = {
    { "0", 0 }, { "3", 3 }, { "+3", 3 }, { "-3", -3 }, { "010", 8 }, { "0x1f", 31 }, { "0X1F", 31 },
    { "0o17", 15 }, { "0b101", 5 }, { "1_000", 1000 }, { "0x_ff", 255 }, { "2147483647", INT_MAX },
    { "-2147483648", INT_MIN },
  };
  static const char *const bad[] = { "", "x", "1x", "0x", "08", "_1", "1_", "1__0", "0b2", "--1", " 1", "1.0" };
  static const char *const range[] = { "2147483648", "-2147483649", "99999999999999999999999" };

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      int n = 42;
      ok (hr_opts_parse_int (good[i].s, &n) == 0 && n == good[i].want, "int \"%s\" is %d", good[i].s,
          good[i].want);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      int n;
      errno = 0;
      ok (hr_opts_parse_int (bad[i], &n) < 0 && errno == EINVAL, "int \"%s\" is a syntax error", bad[i]);
    }
  for (size_t i = 0; i < sizeof (range) / sizeof (range[0]); i++)
    {
      int n;
      errno = 0;
      ok (hr_opts_parse_int (range[i], &n) < 0 && errno == ERANGE, "int \"%s\" is out of range", range[i]);
    }

  is_string (R ("--preserve-fds", "2", "id"), NULL, "--preserve-fds N");
  is_int (v.fds, 2, "fds is 2");
  is_string (R ("--preserve-fds=0x10", "id"), NULL, "--preserve-fds=0x10");
  is_int (v.fds, 16, "fds is 16");
  is_string (R ("--preserve-fds", "x", "id"), "invalid value \"x\" for flag -preserve-fds: parse error",
          "bad int, runc's text");
  is_string (R ("-preserve-fds=99999999999"), "invalid value \"99999999999\" for flag -preserve-fds: value out of range",
          "int out of range");
  is_string (R ("--preserve-fds=a\"b\n"), "invalid value \"a\\\"b\\n\" for flag -preserve-fds: parse error",
          "the value is quoted like Go's %%q");
  hr_opts_result_clear (&res);
}

static void
test_errors (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;

  is_string (R ("id", "--pid-file"), "flag needs an argument: -pid-file", "missing value, Go style single dash");
  is_string (R ("--pid-file"), "flag needs an argument: -pid-file", "missing value as the last arg");
  is_string (R ("-b"), "flag needs an argument: -b", "missing value of a short alias");
  is_string (R ("--foo", "id"), "flag provided but not defined: -foo", "unknown option");
  is_string (R ("-foo=1", "id"), "flag provided but not defined: -foo", "unknown option with value");
  is_string (R ("---x", "id"), "bad flag syntax: ---x", "three dashes");
  is_string (R ("-=x", "id"), "bad flag syntax: -=x", "-=x");
  is_string (R ("--=x", "id"), "bad flag syntax: --=x", "--=x");
  ok (!res.help, "no help after an error");
  is_string (R ("--help", "--foo"), "flag provided but not defined: -foo", "an error wins over --help");
  ok (!res.help, "help not reported with an error");
  hr_opts_result_clear (&res);
}

static void
test_positions (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;

  /* REORDER: what runc's subcommands do. */
  is_string (R ("id", "--detach", "--bundle", "/b"), NULL, "options after the id");
  ok (v.detach, "detach after the id");
  is_string (v.bundle, "/b", "bundle after the id");
  is_int (res.nargs, 1, "one arg");
  is_string (res.args[0], "id", "args[0] is the id");
  ok (res.args[1] == NULL, "args is NULL-terminated");
  is_string (R ("id", "-zz"), NULL, "unknown option after an arg stays an arg");
  is_int (res.nargs, 2, "two args");
  is_string (res.args[1], "-zz", "args[1] is -zz");
  is_string (R ("id", "--", "-d"), NULL, "-- ends options");
  ok (!v.detach, "-d after -- is not an option");
  is_int (res.nargs, 2, "two args");
  is_string (res.args[1], "-d", "args[1] is -d");
  is_string (R ("--", "-d"), NULL, "-- first");
  is_int (res.nargs, 1, "one arg");
  is_string (res.args[0], "-d", "args[0] is -d");
  is_string (R ("-", "-d"), NULL, "- alone is an argument");
  ok (v.detach, "-d after - is still an option");
  is_string (res.args[0], "-", "args[0] is -");
  is_string (R ("a", "b", "-d", "c"), NULL, "args around an option");
  is_int (res.nargs, 3, "three args");
  is_string (res.args[2], "c", "order kept");
  is_string (R ("id", "--help"), NULL, "--help after the id");
  ok (res.help, "help after the id is help");
  is_string (parse (&v, HR_OPTS_REORDER, &res, (const char *const[]) { NULL }), NULL, "no args at all");
  is_int (res.nargs, 0, "zero args");
  ok (res.args && res.args[0] == NULL, "empty NULL-terminated array");

  /* STOP_AT_ARG: runc's global options. */
  is_string (S ("--detach", "create", "--bundle", "/b", "id"), NULL, "stop at the first arg");
  ok (v.detach, "option before the arg is parsed");
  ok (v.bundle == NULL, "option after the arg is not");
  is_int (res.nargs, 4, "four args");
  is_string (res.args[0], "create", "args[0] is the subcommand");
  is_string (res.args[1], "--bundle", "args[1] is --bundle");
  is_string (S ("create", "--foo"), NULL, "unknown option after the arg is not an error");
  is_string (S ("--", "--detach"), NULL, "-- in stop mode");
  ok (!v.detach, "nothing after --");
  is_string (res.args[0], "--detach", "args[0] is --detach");
  hr_opts_result_clear (&res);
}

static void
test_help (void)
{
  struct hr_opts_result res = { 0 };
  struct vals v;
  const char *forms[] = { "-h", "--help", "-help", "--h", "--help=true" };

  for (size_t i = 0; i < sizeof (forms) / sizeof (forms[0]); i++)
    {
      is_string (R (forms[i]), NULL, "%s parses", forms[i]);
      ok (res.help, "%s asks for help", forms[i]);
    }
  is_string (R ("--help=false"), NULL, "--help=false parses");
  ok (!res.help, "--help=false is no help");
  hr_opts_result_clear (&res);
}

static void
test_print_help (void)
{
  struct vals v = { 0 };
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  TABLE (v);

  hr_opts_print_help (f, opts, "   ");
  fclose (f);
  ok (strstr (buf, "   --bundle value, -b value  bundle dir\n") != NULL, "value option with alias");
  ok (strstr (buf, "   --detach, -d              detach\n") != NULL, "bool option aligned");
  ok (strstr (buf, "   --preserve-fds value      fds (default: 0)\n") != NULL, "default shown");
  ok (strstr (buf, "   --help, -h                show help\n") != NULL, "implicit --help listed");
  free (buf);
}

int
main (void)
{
  test_value_forms ();
  test_bools ();
  test_ints ();
  test_errors ();
  test_positions ();
  test_help ();
  test_print_help ();
  return tap_done ();
}
