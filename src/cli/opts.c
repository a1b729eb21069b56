/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go `flag` + urfave/cli v1 option parsing (see opts.h for the rules).  The
 * code follows Go's flag.FlagSet.parseOne and strconv closely so that the
 * accepted syntax and the error texts match runc's.
 */
#include <config.h>
#include "opts.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* strconv.ParseBool. */
int
hr_opts_parse_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      {
        *out = true;
        return 0;
      }
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      {
        *out = false;
        return 0;
      }
  errno = EINVAL;
  return -1;
}

static char
lower (char c)
{
  return (char) (c | ('x' - 'X'));
}

/* strconv's underscoreOK: with base prefix 0, "_" may only separate digits
   (or follow the base prefix). */
static bool
underscore_ok (const char *s)
{
  char saw = '^';
  bool hex = false;
  size_t i = 0, len;

  if (*s == '-' || *s == '+')
    s++;
  len = strlen (s);
  if (len >= 2 && s[0] == '0' && (lower (s[1]) == 'b' || lower (s[1]) == 'o' || lower (s[1]) == 'x'))
    {
      i = 2;
      saw = '0';
      hex = lower (s[1]) == 'x';
    }
  for (; i < len; i++)
    {
      if ((s[i] >= '0' && s[i] <= '9') || (hex && lower (s[i]) >= 'a' && lower (s[i]) <= 'f'))
        {
          saw = '0';
          continue;
        }
      if (s[i] == '_')
        {
          if (saw != '0')
            return false;
          saw = '_';
          continue;
        }
      if (saw == '_')
        return false;
      saw = '!';
    }
  return saw != '_';
}

/* strconv.ParseUint (s, 0, 64). */
static int
parse_uint64 (const char *s, uint64_t *out)
{
  const char *s0 = s;
  unsigned base = 10;
  bool underscores = false;
  uint64_t n = 0, cutoff;

  if (*s == '\0')
    goto syntax;
  if (s[0] == '0')
    {
      size_t len = strlen (s);
      if (len >= 3 && lower (s[1]) == 'b')
        base = 2, s += 2;
      else if (len >= 3 && lower (s[1]) == 'o')
        base = 8, s += 2;
      else if (len >= 3 && lower (s[1]) == 'x')
        base = 16, s += 2;
      else
        base = 8, s += 1;
    }
  cutoff = UINT64_MAX / base + 1;
  for (; *s; s++)
    {
      unsigned d;
      char c = *s;

      if (c == '_')
        {
          underscores = true;
          continue;
        }
      if (c >= '0' && c <= '9')
        d = (unsigned) (c - '0');
      else if (lower (c) >= 'a' && lower (c) <= 'z')
        d = (unsigned) (lower (c) - 'a' + 10);
      else
        goto syntax;
      if (d >= base)
        goto syntax;
      if (n >= cutoff)
        goto range;
      n *= base;
      if (n + d < n)
        goto range;
      n += d;
    }
  if (underscores && !underscore_ok (s0))
    goto syntax;
  *out = n;
  return 0;

syntax:
  errno = EINVAL;
  return -1;
range:
  errno = ERANGE;
  return -1;
}

/* strconv.ParseInt (s, 0, 64), then narrowed to int: the destinations are
   ints (a count of fds), so a value that does not fit is out of range. */
int
hr_opts_parse_int (const char *s, int *out)
{
  bool neg = false;
  uint64_t un;

  if (*s == '+' || *s == '-')
    {
      neg = *s == '-';
      s++;
    }
  if (parse_uint64 (s, &un) < 0)
    return -1;
  if ((!neg && un > (uint64_t) INT_MAX) || (neg && un > (uint64_t) INT_MAX + 1))
    {
      errno = ERANGE;
      return -1;
    }
  *out = neg ? (int) -(int64_t) un : (int) un;
  return 0;
}

/* Go's %q, enough for error messages: printable bytes as they are (UTF-8
   included), the usual escapes for the rest. */
static char *
go_quote (const char *s)
{
  size_t len = strlen (s);
  char *out = xmalloc0 (len * 4 + 3), *o = out;

  *o++ = '"';
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      switch (c)
        {
        case '"': o = stpcpy (o, "\\\""); break;
        case '\\': o = stpcpy (o, "\\\\"); break;
        case '\n': o = stpcpy (o, "\\n"); break;
        case '\t': o = stpcpy (o, "\\t"); break;
        case '\r': o = stpcpy (o, "\\r"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            o += sprintf (o, "\\x%02x", c);
          else
            *o++ = (char) c;
        }
    }
  *o++ = '"';
  *o = '\0';
  return out;
}

/* -h and -help mean help unless a command defines them itself. */
static const struct hr_opt help_opt = { "help", "h", HR_OPT_BOOL, NULL, "show help", NULL };

static const struct hr_opt *
lookup (const struct hr_opt *opts, const char *name, size_t len)
{
  for (const struct hr_opt *o = opts; o->name; o++)
    {
      if (strlen (o->name) == len && memcmp (o->name, name, len) == 0)
        return o;
      if (o->alias && strlen (o->alias) == len && memcmp (o->alias, name, len) == 0)
        return o;
    }
  if ((len == 4 && memcmp (name, "help", 4) == 0) || (len == 1 && name[0] == 'h'))
    return &help_opt;
  return NULL;
}

/* Split "-name=value" / "--name" as Go does.  Returns false for bad syntax
   ("---x", "-=x"). */
static bool
split_flag (const char *arg, const char **name, size_t *name_len, const char **value)
{
  const char *n = arg + (arg[1] == '-' ? 2 : 1);
  const char *eq;

  if (*n == '\0' || *n == '-' || *n == '=')
    return false;
  eq = strchr (n + 1, '=');
  *name = n;
  *name_len = eq ? (size_t) (eq - n) : strlen (n);
  *value = eq ? eq + 1 : NULL;
  return true;
}

static bool
looks_like_flag (const char *arg)
{
  return arg[0] == '-' && arg[1] != '\0';
}

/* Parse one option; *i indexes arg and is advanced past a value taken from
   the next argument. */
static int
parse_one (const struct hr_opt *opts, int argc, char **argv, int *i, struct hr_opts_result *res, hr_err *err)
{
  const char *arg = argv[*i], *name, *value;
  const struct hr_opt *o;
  size_t len;

  if (!split_flag (arg, &name, &len, &value))
    return hr_error_set (err, 0, "bad flag syntax: %s", arg);
  o = lookup (opts, name, len);
  if (o == NULL)
    return hr_error_set (err, 0, "flag provided but not defined: -%.*s", (int) len, name);

  if (o->type == HR_OPT_BOOL)
    {
      bool b = true;
      if (value && hr_opts_parse_bool (value, &b) < 0)
        {
          _cleanup_free_ char *q = go_quote (value);
          return hr_error_set (err, 0, "invalid boolean value %s for -%.*s: parse error", q, (int) len, name);
        }
      if (o == &help_opt)
        res->help = b;
      else
        *(bool *) o->dest = b;
      return 0;
    }

  /* A value option takes the next argument whatever it looks like, as Go
     does ("--pid-file --bundle" sets the pid file to "--bundle"). */
  if (value == NULL)
    {
      if (*i + 1 >= argc)
        return hr_error_set (err, 0, "flag needs an argument: -%.*s", (int) len, name);
      value = argv[++*i];
    }

  if (o->type == HR_OPT_STRING)
    *(const char **) o->dest = value;
  else if (o->type == HR_OPT_STRV)
    {
      char ***v = (char ***) o->dest;
      size_t n = 0;
      while (*v && (*v)[n])
        n++;
      *v = xrealloc (*v, (n + 2) * sizeof (char *));
      (*v)[n] = (char *) value;
      (*v)[n + 1] = NULL;
    }
  else if (hr_opts_parse_int (value, (int *) o->dest) < 0)
    {
      _cleanup_free_ char *q = go_quote (value);
      return hr_error_set (err, 0, "invalid value %s for flag -%.*s: %s", q, (int) len, name,
                           errno == ERANGE ? "value out of range" : "parse error");
    }
  return 0;
}

int
hr_opts_parse (const struct hr_opt *opts, int argc, char **argv, enum hr_opts_mode mode,
               struct hr_opts_result *res, hr_err *err)
{
  bool stopped = false;

  res->args = xmalloc0 (sizeof (char *) * (size_t) (argc > 0 ? argc : 1));
  res->nargs = 0;
  res->help = false;

  for (int i = 1; i < argc; i++)
    {
      char *arg = argv[i];

      if (stopped)
        {
          res->args[res->nargs++] = arg;
          continue;
        }
      if (strcmp (arg, "--") == 0)
        {
          stopped = true;
          continue;
        }
      if (!looks_like_flag (arg))
        {
          res->args[res->nargs++] = arg;
          if (mode == HR_OPTS_STOP_AT_ARG)
            stopped = true;
          continue;
        }
      /* Only reachable in REORDER mode once an argument was seen: urfave
         moves only options it knows; anything else stays an argument (and
         then usually trips the argument count check). */
      if (res->nargs > 0)
        {
          const char *name, *value;
          size_t len;
          if (!split_flag (arg, &name, &len, &value) || lookup (opts, name, len) == NULL)
            {
              res->args[res->nargs++] = arg;
              continue;
            }
        }
      if (parse_one (opts, argc, argv, &i, res, err) < 0)
        {
          res->help = false;
          return -1;
        }
    }
  res->args[res->nargs] = NULL;
  return 0;
}

/* Column width as Go's tabwriter counts it: runes, not bytes. */
static size_t
utf8_width (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char) *s & 0xc0) != 0x80)
      n++;
  return n;
}

static char *
flag_label (const struct hr_opt *o)
{
  const char *v = o->type == HR_OPT_BOOL ? "" : " value";
  const char *p1 = strlen (o->name) == 1 ? "-" : "--";

  if (o->alias == NULL)
    return xasprintf ("%s%s%s", p1, o->name, v);
  return xasprintf ("%s%s%s, %s%s%s", p1, o->name, v, strlen (o->alias) == 1 ? "-" : "--", o->alias, v);
}

void
hr_opts_print_help (FILE *out, const struct hr_opt *opts, const char *indent)
{
  size_t width = utf8_width ("--help, -h");
  bool own_help = false;

  for (const struct hr_opt *o = opts; o->name; o++)
    {
      _cleanup_free_ char *label = flag_label (o);
      if (utf8_width (label) > width)
        width = utf8_width (label);
      if (strcmp (o->name, "help") == 0)
        own_help = true;
    }

  /* urfave prints through a tabwriter with padding 2. */
  for (const struct hr_opt *o = opts; o->name; o++)
    {
      _cleanup_free_ char *label = flag_label (o);
      fprintf (out, "%s%s%*s%s", indent, label, (int) (width - utf8_width (label) + 2), "", o->help);
      if (o->def)
        fprintf (out, " (default: %s)", o->def);
      fputc ('\n', out);
    }
  if (!own_help)
    fprintf (out, "%s--help, -h%*s%s\n", indent, (int) (width - utf8_width ("--help, -h") + 2), "", help_opt.help);
}
