/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum hr_log_format log_format = HR_LOG_TEXT;
static bool log_debug = false;

static const char *level_names[] = { "error", "warning", "info", "debug" };

int
hr_log_init (const char *path, enum hr_log_format format, bool debug)
{
  log_format = format;
  log_debug = debug;
  if (path && *path)
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0)
        return -1;
      if (log_fd >= 0)
        close (log_fd);
      log_fd = fd;
    }
  return 0;
}

bool
hr_log_debug_enabled (void)
{
  return log_debug;
}

void
hr_log_close (void)
{
  if (log_fd >= 0)
    close (log_fd);
  log_fd = -1;
}

/* Append s to the buffer as the body of a JSON string. */
static size_t
json_escape (char *out, size_t cap, const char *s)
{
  size_t o = 0;
  for (; *s && o + 7 < cap; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          out[o++] = '\\';
          out[o++] = c;
        }
      else if (c == '\n')
        o += (size_t) snprintf (out + o, cap - o, "\\n");
      else if (c < 0x20)
        o += (size_t) snprintf (out + o, cap - o, "\\u%04x", c);
      else
        out[o++] = c;
    }
  out[o] = '\0';
  return o;
}

static void
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, buf, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return;
      buf += w;
      len -= (size_t) w;
    }
}

/* One log entry as runc writes it (logrus): text
   `time="..." level=debug msg="..."` or JSON {"level","msg","time"},
   the time RFC 3339 to the second. */
static size_t
format_entry (char *line, size_t cap, enum hr_log_level level, const char *msg)
{
  char esc[8192], ts[32];
  struct timespec now;
  struct tm tm;
  int n;

  clock_gettime (CLOCK_REALTIME, &now);
  gmtime_r (&now.tv_sec, &tm);
  strftime (ts, sizeof (ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_escape (esc, sizeof (esc), msg);
  if (log_format == HR_LOG_JSON)
    n = snprintf (line, cap, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level_names[level], esc, ts);
  else
    n = snprintf (line, cap, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level_names[level], esc);
  if (n <= 0)
    return 0;
  return (size_t) n < cap ? (size_t) n : cap - 1;
}

void
hr_log (enum hr_log_level level, const char *fmt, ...)
{
  char msg[4096], line[8448];
  int saved_errno = errno;
  va_list ap;
  size_t len;
  int n;

  if (level == HR_LOG_DEBUG && !log_debug)
    return;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);

  if (log_fd >= 0 && (len = format_entry (line, sizeof (line), level, msg)) > 0)
    write_all (log_fd, line, len);

  /* Errors always reach stderr too, as one plain line: engines show it,
     people read it.  Other levels go to stderr only when there is no log
     file, as runc's entries (debug lines from --debug among them). */
  if (level == HR_LOG_ERROR)
    {
      n = snprintf (line, sizeof (line), "%s\n", msg);
      if (n > 0)
        write_all (2, line, (size_t) n < sizeof (line) ? (size_t) n : sizeof (line) - 1);
    }
  else if (log_fd < 0 && (len = format_entry (line, sizeof (line), level, msg)) > 0)
    write_all (2, line, len);
  errno = saved_errno;
}
