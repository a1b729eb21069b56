/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree and its yajl backend (libocispec/json.h). */
#include <config.h>
#include "json.h"
#include "tap.h"
#include "util.h"

#include <string.h>

static json_value *
parse_ok (const char *j, size_t len, const char *what)
{
  json_value *v = NULL;
  hr_err err = NULL;
  int r = json_parse (j, len, &v, &err);
  ok (r == 0, "%s parses%s%s", what, err ? ": " : "", err ? err->msg : "");
  hr_error_free (&err);
  return v;
}

static void
parse_bad (const char *j, size_t len, const char *want, const char *what)
{
  json_value *v = NULL;
  hr_err err = NULL;
  int r = json_parse (j, len, &v, &err);
  ok (r < 0 && v == NULL && err && strstr (err->msg, want), "%s refused (%s)", what,
      err ? err->msg : "accepted");
  hr_error_free (&err);
  json_free (v);
}

static void
test_parse (void)
{
  const char *j = "{\"n\":[0,-1,18446744073709551616,1.5e300],\"s\":\"a\\u00e9\\n\","
                  "\"t\":true,\"f\":false,\"z\":null,\"d\":1,\"d\":2}";
  _cleanup_ (json_freep) json_value *v = parse_ok (j, strlen (j), "mixed document");
  const json_value *n;

  if (v == NULL)
    return;
  n = json_object_get (v, "n");
  ok (n && n->type == JSON_ARRAY && n->u.arr.len == 4, "array");
  is_str (n->u.arr.items[2]->u.str.ptr, "18446744073709551616", "number kept as raw text");
  is_str (n->u.arr.items[3]->u.str.ptr, "1.5e300", "float kept as raw text");
  is_str (json_object_get (v, "s")->u.str.ptr, "a\xc3\xa9\n", "string unescaped");
  is_int (json_object_get (v, "s")->u.str.len, 4, "string length");
  ok (json_object_get (v, "t")->u.boolean && !json_object_get (v, "f")->u.boolean, "booleans");
  is_int (json_object_get (v, "z")->type, JSON_NULL, "null");
  is_int (v->u.obj.len, 6, "duplicate key removed");
  is_str (json_object_get (v, "d")->u.str.ptr, "2", "last duplicate wins");
}

static void
test_refusals (void)
{
  static const char nul[] = "\"a\\u0000b\"";
  static const char raw_nul[] = { '"', 'a', '\0', 'b', '"' };
  char *deep;

  parse_bad (nul, strlen (nul), "NUL", "escaped NUL");
  parse_bad (raw_nul, sizeof (raw_nul), "invalid JSON", "raw NUL");
  parse_bad ("\"\xc3\x28\"", 4, "invalid JSON", "invalid UTF-8");
  parse_bad ("\"\xed\xa0\x80\"", 5, "invalid JSON", "UTF-8 surrogate");
  parse_bad ("\"\xf4\x90\x80\x80\"", 6, "invalid JSON", "above U+10FFFF");
  parse_bad ("\"\xc0\xaf\"", 4, "invalid JSON", "overlong");
  json_free (parse_ok ("\"\xf0\x9f\x98\x80 \\ud83d\\ude00\"", 19, "4-byte UTF-8 and surrogate pair"));
  parse_bad ("", 0, "empty document", "empty");
  parse_bad ("[1,", 3, "invalid JSON", "truncated");
  parse_bad ("{\"a\":1}x", 8, "invalid JSON", "trailing garbage");
  parse_bad ("1 2", 3, "invalid JSON", "two values");
  parse_bad ("[01]", 4, "invalid JSON", "leading zero");
  parse_bad ("[NaN]", 5, "invalid JSON", "NaN");

  deep = xmalloc0 (200001);
  memset (deep, '[', 100000);
  memset (deep + 100000, ']', 100000);
  parse_bad (deep, 200000, "nesting too deep", "100000-deep arrays");
  free (deep);
  {
    /* JSON_MAX_DEPTH itself is fine, one more is not. */
    char buf[2 * JSON_MAX_DEPTH + 4];
    json_value *v;
    memset (buf, '[', JSON_MAX_DEPTH);
    memset (buf + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
    v = parse_ok (buf, 2 * JSON_MAX_DEPTH, "maximum depth");
    json_free (v);
    memset (buf, '[', JSON_MAX_DEPTH + 1);
    memset (buf + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
    parse_bad (buf, 2 * JSON_MAX_DEPTH + 2, "nesting too deep", "maximum depth + 1");
  }
}

static void
test_emit (void)
{
  _cleanup_ (json_freep) json_value *o = json_new_object ();
  _cleanup_ (json_freep) json_value *deep = NULL;
  _cleanup_free_ char *out = NULL, *pretty = NULL;
  json_value *a = json_new_array ();
  hr_err err = NULL;
  size_t len = 0;

  json_array_append (a, json_new_number_raw ("-12", 3));
  json_array_append (a, json_new_null ());
  json_array_append (a, json_new_bool (true));
  json_object_append (o, "a", 1, a);
  json_object_append (o, "s", 1, json_new_string ("q\"\\/\x01\xc3\xa9"));
  ok (json_emit (o, false, &out, &len, &err) == 0, "compact emit");
  is_str (out, "{\"a\":[-12,null,true],\"s\":\"q\\\"\\\\/\\u0001\xc3\xa9\"}", "compact output");
  is_int (len, strlen (out ? out : ""), "length");
  ok (json_emit (o, true, &pretty, NULL, &err) == 0, "pretty emit");
  ok (pretty && strncmp (pretty, "{\n\t\"a\": [\n\t\t-12,", 16) == 0, "tab indentation");
  hr_error_free (&err);
  {
    _cleanup_ (json_freep) json_value *e = json_new_object ();
    _cleanup_free_ char *d = NULL;
    json_object_append (e, "a", 1, json_new_array ());
    json_object_append (e, "b", 1, json_new_object ());
    ok (json_emit (e, true, &d, NULL, &err) == 0, "pretty emit of empty containers");
    is_str (d, "{\n\t\"a\": [],\n\t\"b\": {}\n}\n", "empty containers print as [] and {}");
  }

  /* A million-deep tree built by hand: emitting fails cleanly (the
     generator's own depth limit) and freeing does not recurse. */
  deep = json_new_array ();
  {
    json_value *cur = deep;
    for (int i = 0; i < 1000000; i++)
      {
        json_value *n = json_new_array ();
        json_array_append (cur, n);
        cur = n;
      }
  }
  {
    _cleanup_free_ char *d = NULL;
    ok (json_emit (deep, false, &d, NULL, &err) < 0, "over-deep tree not emitted: %s", err ? err->msg : "");
    hr_error_free (&err);
  }
  json_free (TAKE_PTR (deep));
  ok (1, "million-deep tree freed");

  {
    _cleanup_ (json_freep) json_value *bad = json_new_string ("\xff");
    _cleanup_free_ char *d = NULL;
    ok (json_emit (bad, false, &d, NULL, &err) < 0, "invalid UTF-8 not emitted");
    hr_error_free (&err);
  }
}

int
main (void)
{
  test_parse ();
  test_refusals ();
  test_emit ();
  return tap_done ();
}
