/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc list: the containers under the root, as a table (runc's
   columns and padding), as JSON, or only their ids. */
#include <config.h>
#include "cli.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define COLUMNS 6

/* runc writes through text/tabwriter (minwidth 12, tabwidth 1, padding 3,
   padchar ' '): every cell but the last of a line is padded to the widest
   cell of its column plus 3, and at least 12.  Widths count runes. */
enum { TAB_MINWIDTH = 12, TAB_PADDING = 3 };

static size_t
utf8_width (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char) *s & 0xc0) != 0x80)
      n++;
  return n;
}

static void
print_table (char *const (*rows)[COLUMNS], size_t nrows)
{
  size_t width[COLUMNS - 1];

  for (size_t c = 0; c < COLUMNS - 1; c++)
    {
      width[c] = TAB_MINWIDTH;
      for (size_t r = 0; r < nrows; r++)
        if (utf8_width (rows[r][c]) + TAB_PADDING > width[c])
          width[c] = utf8_width (rows[r][c]) + TAB_PADDING;
    }
  for (size_t r = 0; r < nrows; r++)
    {
      for (size_t c = 0; c < COLUMNS - 1; c++)
        printf ("%s%*s", rows[r][c], (int) (width[c] - utf8_width (rows[r][c])), "");
      printf ("%s\n", rows[r][COLUMNS - 1]);
    }
}

static void
free_infos (struct hr_container_info *infos, size_t n)
{
  for (size_t i = 0; i < n; i++)
    hr_container_info_free (&infos[i]);
  free (infos);
}

static void
list_table (const struct hr_container_info *infos, size_t n)
{
  char *(*rows)[COLUMNS] = xmalloc0 (sizeof (*rows) * (n + 1));
  static char header[][8] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };

  for (size_t c = 0; c < COLUMNS; c++)
    rows[0][c] = header[c];
  for (size_t i = 0; i < n; i++)
    {
      char **row = rows[i + 1];
      row[0] = infos[i].id ? infos[i].id : "";
      row[1] = xasprintf ("%d", (int) infos[i].pid);
      row[2] = infos[i].status ? infos[i].status : "";
      row[3] = infos[i].bundle ? infos[i].bundle : "";
      row[4] = infos[i].created ? infos[i].created : "";
      row[5] = infos[i].owner ? infos[i].owner : "";
    }
  print_table (rows, n + 1);
  /* Only the PID strings are ours. */
  for (size_t i = 0; i < n; i++)
    free (rows[i + 1][1]);
  free (rows);
}

static int
cmd_list (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  struct hr_container_info *infos = NULL;
  const char *format = "table";
  bool quiet = false;
  hr_err err = NULL;
  size_t n = 0;
  int status, ret = 0;
  const struct hr_opt opts[] = {
    { "format", "f", HR_OPT_STRING, &format, "select one of: table or json", "\"table\"" },
    { "quiet", "q", HR_OPT_BOOL, &quiet, "display only container IDs", NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 0, 0, &args, &status))
    return status;
  /* Check the format before listing: a typo should not depend on whether
     there are containers (runc checks it only after listing). */
  if (!quiet && strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    {
      hr_error_set (&err, 0, "invalid format option");
      return cli_fail (&err);
    }
  if (hr_container_list (ctx, &infos, &n, &err) < 0)
    return cli_fail (&err);

  if (quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", infos[i].id);
  else if (strcmp (format, "table") == 0)
    list_table (infos, n);
  else if (n == 0)
    /* runc encodes a nil slice: engines parse "null" for no containers. */
    printf ("null\n");
  else
    {
      _cleanup_free_ char *json = NULL;
      ret = hr_list_to_json (infos, n, &json, &err);
      if (ret == 0)
        cli_print_document (json);
    }
  free_infos (infos, n);
  return ret < 0 ? cli_fail (&err) : 0;
}

const struct cli_command cli_cmd_list = {
  .name = "list",
  .summary = "lists containers started by hydra-runc with the given root",
  .usage = "[command options]",
  .description =
    "   The list command lists containers started by hydra-runc with the given root:\n\n"
    "       # hydra-runc list\n"
    "       # hydra-runc --root value list",
  .run = cmd_list,
};
