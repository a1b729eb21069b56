/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc ps: the container's processes, as runc shows them: a JSON
   array of host pids, or the host's `ps` output (default `ps -ef`) reduced
   to the header and the container's lines. */
#include <config.h>
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run ps with args; its stdout and stderr together in *out (runc uses
   CombinedOutput and shows it on failure). */
static int
run_ps (char **args, char **out, hr_err *err)
{
  size_t n = 0, len;
  int fds[2], status;
  pid_t pid;
  char **argv;

  while (args[n])
    n++;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  argv = xmalloc0 ((n + 2) * sizeof (char *));
  argv[0] = (char *) "ps";
  for (size_t i = 0; i < n; i++)
    argv[i + 1] = args[i];
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      dup2 (fds[1], 1);
      dup2 (fds[1], 2);
      execvp ("ps", argv);
      dprintf (2, "exec: \"ps\": %s\n", strerror (errno));
      _exit (127);
    }
  free (argv);
  close (fds[1]);
  if (pid < 0)
    {
      close (fds[0]);
      return hr_error_set (err, errno, "fork");
    }
  if (hr_read_all (fds[0], 64 << 20, out, &len, err) < 0)
    {
      close (fds[0]);
      waitpid (pid, NULL, 0);
      return -1;
    }
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "wait for ps");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hr_error_set (err, 0, "exit status %d: %s", WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status),
                         *out);
  return 0;
}

static int
print_table (char **ps_args, const pid_t *pids, size_t n, hr_err *err)
{
  static char *default_args[] = { (char *) "-ef", NULL };
  _cleanup_free_ char *out = NULL;
  char *save = NULL, *line;
  int pid_index = -1;

  if (run_ps (ps_args[0] ? ps_args : default_args, &out, err) < 0)
    return -1;
  line = strtok_r (out, "\n", &save);
  if (line == NULL)
    return hr_error_set (err, 0, "couldn't find PID field in ps output");
  {
    _cleanup_free_ char *hdr = xstrdup (line);
    char *s2 = NULL;
    int i = 0;
    for (char *f = strtok_r (hdr, " \t", &s2); f; f = strtok_r (NULL, " \t", &s2), i++)
      if (strcmp (f, "PID") == 0)
        {
          pid_index = i;
          break;
        }
  }
  if (pid_index < 0)
    return hr_error_set (err, 0, "couldn't find PID field in ps output");
  printf ("%s\n", line);
  while ((line = strtok_r (NULL, "\n", &save)))
    {
      _cleanup_free_ char *copy = xstrdup (line);
      char *s2 = NULL, *f = strtok_r (copy, " \t", &s2), *end;
      long pid;
      for (int i = 0; f && i < pid_index; i++)
        f = strtok_r (NULL, " \t", &s2);
      if (f == NULL)
        continue;
      pid = strtol (f, &end, 10);
      if (*end)
        return hr_error_set (err, 0, "unexpected pid '%s': %s", f, "invalid syntax");
      for (size_t k = 0; k < n; k++)
        if (pids[k] == (pid_t) pid)
          {
            printf ("%s\n", line);
            break;
          }
    }
  return 0;
}

static int
cmd_ps (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  _cleanup_free_ pid_t *pids = NULL;
  const char *format = "table";
  hr_err err = NULL;
  size_t n = 0;
  const struct hr_opt opts[] = {
    { "format", "f", HR_OPT_STRING, &format, "select one of: table or json", "\"table\"" },
    { NULL },
  };

  /* Options end at the id: what follows it are ps's own options. */
  if (hr_opts_parse (opts, argc, argv, HR_OPTS_STOP_AT_ARG, &args, &err) < 0)
    return cli_fail (&err);
  if (args.help)
    {
      cli_print_command_help (self, opts);
      return 0;
    }
  if (args.nargs < 1)
    {
      hr_error_set (&err, 0, "%s: \"%s\" requires a minimum of 1 argument(s)", cli_argv0, self->name);
      return cli_fail (&err);
    }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    {
      hr_error_set (&err, 0, "invalid format option");
      return cli_fail (&err);
    }
  if (hr_container_pids (ctx, args.args[0], &pids, &n, &err) < 0)
    return cli_fail (&err);
  if (strcmp (format, "json") == 0)
    {
      if (n == 0)
        printf ("null\n");
      else
        {
          putchar ('[');
          for (size_t i = 0; i < n; i++)
            printf ("%s%d", i ? "," : "", (int) pids[i]);
          printf ("]\n");
        }
      return 0;
    }
  if (print_table (args.args + 1, pids, n, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_ps = {
  .name = "ps",
  .summary = "ps displays the processes running inside a container",
  .usage = "[command options] <container-id> [ps options]",
  .description = NULL,
  .run = cmd_ps,
};
