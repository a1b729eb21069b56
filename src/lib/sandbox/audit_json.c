/* SPDX-License-Identifier: Apache-2.0 */
/* The audit stream's JSON lines (audit.h), built from decoded eBPF
   records.  Pure: unit-tested in tests/unit/test-audit.c. */
#include <config.h>
#include "sandbox/audit.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

char *
hr_utf8_sanitize (const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *) s;
  /* At worst every byte becomes the 3 bytes of U+FFFD. */
  char *out = xmalloc0 (len * 3 + 1), *o = out;

  for (size_t i = 0; i < len;)
    {
      unsigned char c = p[i];
      size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
      bool ok = n > 0 && c != 0 && i + n <= len;
      for (size_t k = 1; ok && k < n; k++)
        ok = (p[i + k] & 0xc0) == 0x80;
      if (ok && n > 1)
        {
          /* Overlong forms, surrogates and code points past U+10FFFF are
             what a strict parser (ours, yajl's) refuses. */
          unsigned cp = n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
          for (size_t k = 1; k < n; k++)
            cp = (cp << 6) | (p[i + k] & 0x3fu);
          ok = !((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
                 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff);
        }
      if (!ok)
        {
          memcpy (o, "\xef\xbf\xbd", 3);
          o += 3;
          i++;
          continue;
        }
      memcpy (o, p + i, n);
      o += n;
      i += n;
    }
  *o = '\0';
  return out;
}

void
hr_audit_time (uint64_t ns, char buf[40])
{
  time_t sec = (time_t) (ns / 1000000000ull);
  struct tm tm;
  char day[24];

  gmtime_r (&sec, &tm);
  strftime (day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, 40, "%s.%09lluZ", day, (unsigned long long) (ns % 1000000000ull));
}

/* The line is written directly, not through a JSON tree: the audit
   process formats every record of a busy container (thousands a second
   in a build), and the tree's allocations were most of its cost.  The
   unit test parses what this writes. */
struct line
{
  char *buf;
  size_t len, cap;
};

static void
add (struct line *l, const char *s, size_t n)
{
  if (l->len + n + 1 > l->cap)
    {
      l->cap = (l->len + n + 1) * 2;
      l->buf = xrealloc (l->buf, l->cap);
    }
  memcpy (l->buf + l->len, s, n);
  l->len += n;
  l->buf[l->len] = '\0';
}

static void
add_key (struct line *l, const char *key)
{
  add (l, l->len > 1 ? ",\"" : "\"", l->len > 1 ? 2 : 1);
  add (l, key, strlen (key));
  add (l, "\":", 2);
}

/* A JSON string of S (len bytes), made valid UTF-8 first. */
static void
add_json_string (struct line *l, const char *s, size_t len)
{
  _cleanup_free_ char *clean = hr_utf8_sanitize (s, len);
  const char *p = clean, *run = clean;

  add (l, "\"", 1);
  for (; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      add (l, run, (size_t) (p - run));
      char esc[8];
      int n = c == '"' ? snprintf (esc, sizeof esc, "\\\"") : c == '\\' ? snprintf (esc, sizeof esc, "\\\\")
              : c == '\n' ? snprintf (esc, sizeof esc, "\\n") : c == '\t' ? snprintf (esc, sizeof esc, "\\t")
                          : snprintf (esc, sizeof esc, "\\u%04x", c);
      add (l, esc, (size_t) n);
      run = p + 1;
    }
  add (l, run, (size_t) (p - run));
  add (l, "\"", 1);
}

static void
put_str (struct line *l, const char *key, const char *s)
{
  if (s == NULL)
    return;
  add_key (l, key);
  add_json_string (l, s, strlen (s));
}

static void
put_num (struct line *l, const char *key, long long v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%lld", v);
  add_key (l, key);
  add (l, buf, (size_t) n);
}

static void
put_bool (struct line *l, const char *key, bool v)
{
  add_key (l, key);
  add (l, v ? "true" : "false", v ? 4 : 5);
}

static const char *
type_name (enum hr_audit_type t)
{
  switch (t)
    {
    case HR_AUDIT_EXEC: return "exec";
    case HR_AUDIT_EXIT: return "exit";
    case HR_AUDIT_CONNECT: return "connect";
    case HR_AUDIT_FILE: return "file";
    case HR_AUDIT_PRIV: return "privilege";
    case HR_AUDIT_VIOLATION: return "violation";
    }
  return "unknown";
}

char *
hr_audit_record_json (const struct hr_audit_record *r, const char *id, pid_t pid, pid_t ppid)
{
  struct line l = { 0 };
  char when[40];

  add (&l, "{", 1);
  hr_audit_time (r->time_ns, when);
  put_str (&l, "time", when);
  put_str (&l, "container", id);
  put_str (&l, "type", type_name (r->type));
  put_num (&l, "pid", pid);
  put_num (&l, "host_pid", r->pid);
  if (r->type == HR_AUDIT_EXEC)
    put_num (&l, "ppid", ppid);
  put_num (&l, "uid", r->uid);
  put_num (&l, "gid", r->gid);
  if (r->comm[0])
    {
      add_key (&l, "comm");
      add_json_string (&l, r->comm, strnlen (r->comm, sizeof r->comm));
    }
  switch (r->type)
    {
    case HR_AUDIT_EXEC:
      put_str (&l, "path", r->path);
      if (r->argv)
        {
          add_key (&l, "argv");
          add (&l, "[", 1);
          for (size_t i = 0; i < r->argc; i++)
            {
              const char *a = r->argv[i] ? r->argv[i] : "";
              if (i)
                add (&l, ",", 1);
              add_json_string (&l, a, strlen (a));
            }
          add (&l, "]", 1);
        }
      break;
    case HR_AUDIT_EXIT:
      /* As a shell reports it: the code, or 128+N and the signal. */
      if ((r->exit_code & 0x7f) == 0)
        put_num (&l, "exit_code", (r->exit_code >> 8) & 0xff);
      else
        {
          put_num (&l, "exit_code", 128 + (r->exit_code & 0x7f));
          put_num (&l, "signal", r->exit_code & 0x7f);
        }
      break;
    case HR_AUDIT_CONNECT:
      put_str (&l, "family", r->family == AF_INET6 ? "inet6" : "inet");
      put_str (&l, "address", r->addr);
      put_num (&l, "port", r->port);
      put_str (&l, "syscall", r->syscall);
      put_bool (&l, "allowed", r->allowed);
      break;
    case HR_AUDIT_FILE:
      put_str (&l, "op", r->op);
      put_str (&l, "path", r->path);
      break;
    case HR_AUDIT_PRIV:
      put_str (&l, "syscall", r->syscall);
      put_num (&l, "id", r->new_id);
      put_bool (&l, "allowed", r->err == 0);
      if (r->err)
        put_str (&l, "error", strerrorname_np (r->err) ? strerrorname_np (r->err) : "unknown");
      break;
    case HR_AUDIT_VIOLATION:
      put_str (&l, "rule", r->rule);
      put_str (&l, "what", r->what);
      put_str (&l, "syscall", r->syscall);
      put_str (&l, "path", r->path);
      if (r->err)
        put_str (&l, "error", strerrorname_np (r->err) ? strerrorname_np (r->err) : "unknown");
      break;
    }
  add (&l, "}", 1);
  return l.buf;
}
