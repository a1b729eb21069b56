/* SPDX-License-Identifier: Apache-2.0 */
/* The audit stream's JSON lines (audit.h), built from decoded eBPF
   records.  Pure: unit-tested in tests/unit/test-audit.c. */
#include <config.h>
#include "sandbox/audit.h"
#include "json.h"
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

static void
put_str (json_value *o, const char *key, const char *s)
{
  if (s == NULL)
    return;
  _cleanup_free_ char *clean = hr_utf8_sanitize (s, strlen (s));
  json_object_append (o, key, strlen (key), json_new_string (clean));
}

static void
put_num (json_value *o, const char *key, long long v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%lld", v);
  json_object_append (o, key, strlen (key), json_new_number_raw (buf, (size_t) n));
}

static void
put_bool (json_value *o, const char *key, bool v)
{
  json_object_append (o, key, strlen (key), json_new_bool (v));
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
  _cleanup_ (json_freep) json_value *o = json_new_object ();
  char when[40];
  char *out = NULL;
  size_t len;
  hr_err err = NULL;

  hr_audit_time (r->time_ns, when);
  put_str (o, "time", when);
  put_str (o, "container", id);
  put_str (o, "type", type_name (r->type));
  put_num (o, "pid", pid);
  put_num (o, "host_pid", r->pid);
  if (r->type == HR_AUDIT_EXEC)
    put_num (o, "ppid", ppid);
  put_num (o, "uid", r->uid);
  put_num (o, "gid", r->gid);
  if (r->comm[0])
    {
      _cleanup_free_ char *comm = hr_utf8_sanitize (r->comm, strnlen (r->comm, sizeof r->comm));
      put_str (o, "comm", comm);
    }
  switch (r->type)
    {
    case HR_AUDIT_EXEC:
      put_str (o, "path", r->path);
      if (r->argv)
        {
          json_value *a = json_new_array ();
          for (size_t i = 0; i < r->argc; i++)
            {
              const char *s = r->argv[i] ? r->argv[i] : "";
              _cleanup_free_ char *clean = hr_utf8_sanitize (s, strlen (s));
              json_array_append (a, json_new_string (clean));
            }
          json_object_append (o, "argv", 4, a);
        }
      break;
    case HR_AUDIT_EXIT:
      /* As a shell reports it: the code, or 128+N and the signal. */
      if ((r->exit_code & 0x7f) == 0)
        put_num (o, "exit_code", (r->exit_code >> 8) & 0xff);
      else
        {
          put_num (o, "exit_code", 128 + (r->exit_code & 0x7f));
          put_num (o, "signal", r->exit_code & 0x7f);
        }
      break;
    case HR_AUDIT_CONNECT:
      put_str (o, "family", r->family == AF_INET6 ? "inet6" : "inet");
      put_str (o, "address", r->addr);
      put_num (o, "port", r->port);
      put_str (o, "syscall", r->syscall);
      put_bool (o, "allowed", r->allowed);
      break;
    case HR_AUDIT_FILE:
      put_str (o, "op", r->op);
      put_str (o, "path", r->path);
      break;
    case HR_AUDIT_PRIV:
      put_str (o, "syscall", r->syscall);
      put_num (o, "id", r->new_id);
      put_bool (o, "allowed", r->err == 0);
      if (r->err)
        put_str (o, "error", strerrorname_np (r->err) ? strerrorname_np (r->err) : "unknown");
      break;
    case HR_AUDIT_VIOLATION:
      put_str (o, "rule", r->rule);
      put_str (o, "what", r->what);
      put_str (o, "syscall", r->syscall);
      put_str (o, "path", r->path);
      if (r->err)
        put_str (o, "error", strerrorname_np (r->err) ? strerrorname_np (r->err) : "unknown");
      break;
    }
  if (json_emit (o, false, &out, &len, &err) < 0)
    {
      /* Every string was made valid above: this is a bug, not input. */
      hr_error_free (&err);
      return xstrdup ("{\"type\":\"error\",\"what\":\"unencodable audit record\"}");
    }
  return out;
}
