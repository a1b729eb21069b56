/* SPDX-License-Identifier: Apache-2.0 */
/* The audit stream's pure parts (src/lib/sandbox/audit_json.c,
   audit_log.c): every record becomes one valid JSON line whatever bytes
   the container put in its names, and the log rotates by rename. */
#include <config.h>
#include "tap.h"
#include "json.h"
#include "sandbox/audit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static json_value *
parsed (const char *line)
{
  json_value *v = NULL;
  hr_err err = NULL;
  if (json_parse (line, strlen (line), &v, &err) < 0)
    {
      printf ("# %s: %s\n", line, err->msg);
      hr_error_free (&err);
      return NULL;
    }
  return v;
}

static const char *
str_of (const json_value *o, const char *k)
{
  const json_value *v = json_object_get (o, k);
  return v && v->type == JSON_STRING ? v->u.str.ptr : NULL;
}

static const char *
num_of (const json_value *o, const char *k)
{
  const json_value *v = json_object_get (o, k);
  return v && v->type == JSON_NUMBER ? v->u.str.ptr : NULL;
}

static void
test_sanitize (void)
{
  char *s = hr_utf8_sanitize ("a\xffz", 3);
  is_str (s, "a\xef\xbf\xbdz", "a bad byte becomes U+FFFD");
  free (s);
  s = hr_utf8_sanitize ("\xc3\xa9t\xc3\xa9", 5);
  is_str (s, "\xc3\xa9t\xc3\xa9", "valid UTF-8 is kept");
  free (s);
  s = hr_utf8_sanitize ("\xc0\xaf", 2);
  is_str (s, "\xef\xbf\xbd\xef\xbf\xbd", "an overlong '/' is not kept");
  free (s);
  s = hr_utf8_sanitize ("\xed\xa0\x80", 3);
  is_str (s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "a surrogate is not kept");
  free (s);
  s = hr_utf8_sanitize ("\xe2\x82", 2);
  is_str (s, "\xef\xbf\xbd\xef\xbf\xbd", "a truncated sequence is not kept");
  free (s);
}

static void
test_exec (void)
{
  const char *argv[] = { "sh", "-c", "echo \"x\"\n\xff", "a\\b\x01\t" };
  struct hr_audit_record r = { .type = HR_AUDIT_EXEC, .time_ns = 1765000000123456789ull, .pid = 4242, .ppid = 4000,
                               .uid = 1000, .gid = 1000, .comm = "sh", .path = "/bin/busybox", .argv = argv,
                               .argc = 4 };
  char *line = hr_audit_record_json (&r, "c1", 7, 1);
  json_value *v = parsed (line);
  ok (v != NULL, "an exec record with odd argv bytes is valid JSON");
  ok (strchr (line, '\n') == NULL, "one line");
  if (v)
    {
      is_str (str_of (v, "type"), "exec", "type");
      is_str (str_of (v, "container"), "c1", "container");
      is_str (str_of (v, "path"), "/bin/busybox", "path");
      is_str (num_of (v, "pid"), "7", "pid as the container sees it");
      is_str (num_of (v, "host_pid"), "4242", "host pid");
      is_str (num_of (v, "ppid"), "1", "ppid");
      is_str (str_of (v, "time"), "2025-12-06T05:46:40.123456789Z", "time in RFC 3339 with nanoseconds");
      const json_value *a = json_object_get (v, "argv");
      ok (a && a->type == JSON_ARRAY && a->u.arr.len == 4, "argv has every argument");
      if (a && a->u.arr.len == 4)
        {
          is_str (a->u.arr.items[2]->u.str.ptr, "echo \"x\"\n\xef\xbf\xbd", "argv keeps quotes and newlines");
          is_str (a->u.arr.items[3]->u.str.ptr, "a\\b\x01\t", "backslash and control characters");
        }
      json_free (v);
    }
  free (line);
}

static void
test_others (void)
{
  struct hr_audit_record ex = { .type = HR_AUDIT_EXIT, .pid = 5, .exit_code = 3 << 8 };
  char *line = hr_audit_record_json (&ex, "c1", 2, 0);
  json_value *v = parsed (line);
  is_str (v ? num_of (v, "exit_code") : NULL, "3", "exit code of a normal exit");
  ok (v && json_object_get (v, "signal") == NULL, "no signal for a normal exit");
  json_free (v);
  free (line);
  ex.exit_code = 9;
  line = hr_audit_record_json (&ex, "c1", 2, 0);
  v = parsed (line);
  is_str (v ? num_of (v, "exit_code") : NULL, "137", "killed: 128+N");
  is_str (v ? num_of (v, "signal") : NULL, "9", "and the signal");
  json_free (v);
  free (line);

  struct hr_audit_record c = { .type = HR_AUDIT_CONNECT, .family = AF_INET6, .addr = "fd00::1", .port = 443,
                               .syscall = "connect", .allowed = false };
  line = hr_audit_record_json (&c, "c1", 3, 0);
  v = parsed (line);
  ok (v && strcmp (str_of (v, "family"), "inet6") == 0 && strcmp (str_of (v, "address"), "fd00::1") == 0
        && strcmp (num_of (v, "port"), "443") == 0, "connect: family, address, port");
  ok (v && json_object_get (v, "allowed")->type == JSON_BOOL && !json_object_get (v, "allowed")->u.boolean,
      "connect: denied");
  json_free (v);
  free (line);

  struct hr_audit_record p = { .type = HR_AUDIT_PRIV, .syscall = "setuid", .new_id = 0, .err = 1 };
  line = hr_audit_record_json (&p, "c1", 3, 0);
  v = parsed (line);
  is_str (v ? str_of (v, "error") : NULL, "EPERM", "privilege: the errno by name");
  json_free (v);
  free (line);

  struct hr_audit_record x = { .type = HR_AUDIT_VIOLATION, .rule = "writable_paths", .what = "write \"/etc\"",
                               .syscall = "openat", .path = "/etc/passwd", .err = 30 };
  line = hr_audit_record_json (&x, "c1", 3, 0);
  v = parsed (line);
  is_str (v ? str_of (v, "rule") : NULL, "writable_paths", "violation: the rule");
  is_str (v ? str_of (v, "error") : NULL, "EROFS", "violation: the errno");
  json_free (v);
  free (line);
}

static void
test_rotation (void)
{
  char dir[] = "/tmp/test-audit-XXXXXX";
  struct hr_audit_log l;
  hr_err err = NULL;
  struct stat st;

  if (mkdtemp (dir) == NULL)
    abort ();
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok (hr_audit_log_open (&l, dfd, "a.jsonl", 100, 2, &err) == 0, "open a log");
  for (int i = 0; i < 10; i++)
    hr_audit_log_write (&l, "{\"n\":\"0123456789012345678901234567890123456789\"}", &err);
  hr_audit_log_flush (&l, &err);
  ok (fstatat (dfd, "a.jsonl", &st, 0) == 0 && st.st_size <= 100, "the live file stays under the limit");
  ok (fstatat (dfd, "a.jsonl.1", &st, 0) == 0, "rotated once to .1");
  ok (fstatat (dfd, "a.jsonl.2", &st, 0) == 0, "and to .2");
  ok (fstatat (dfd, "a.jsonl.3", &st, 0) < 0, "no more than max_files kept");
  hr_audit_log_close (&l);
  ok (hr_audit_log_open (&l, dfd, "b.jsonl", 0, 0, &err) == 0, "no limit");
  for (int i = 0; i < 10; i++)
    hr_audit_log_write (&l, "{}", &err);
  ok (fstatat (dfd, "b.jsonl", &st, 0) == 0 && st.st_size == 0, "queued until flushed");
  hr_audit_log_flush (&l, &err);
  ok (fstatat (dfd, "b.jsonl", &st, 0) == 0 && st.st_size == 30, "no limit: no rotation");
  hr_audit_log_close (&l);
  unlinkat (dfd, "a.jsonl", 0), unlinkat (dfd, "a.jsonl.1", 0), unlinkat (dfd, "a.jsonl.2", 0);
  unlinkat (dfd, "b.jsonl", 0);
  close (dfd);
  rmdir (dir);
}

int
main (void)
{
  test_sanitize ();
  test_exec ();
  test_others ();
  test_rotation ();
  return tap_done ();
}
