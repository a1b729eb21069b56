/* SPDX-License-Identifier: Apache-2.0 */
/* descriptors.json (checkpoint.h): written by checkpoint, read back by
   restore from an image that may come from anywhere (an imported
   archive), so parsed strictly and fuzzed (tests/fuzz/fuzz-descriptors.c). */
#include <config.h>
#include "checkpoint/checkpoint.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <string.h>

char *
hr_descriptors_encode (char *const *fds, size_t n)
{
  json_value *a = json_new_array ();
  char *out = NULL;
  size_t len = 0;
  hr_err e = NULL;

  for (size_t i = 0; i < n; i++)
    json_array_append (a, json_new_string (fds[i] ? fds[i] : "/dev/null"));
  if (json_emit (a, false, &out, &len, &e) < 0)
    {
      hr_error_free (&e);
      out = xstrdup ("[\"/dev/null\",\"/dev/null\",\"/dev/null\"]");
    }
  json_free (a);
  return out;
}

int
hr_descriptors_decode (const char *data, size_t len, char ***fds, size_t *n, hr_err *err)
{
  json_value *v = NULL;

  *fds = NULL;
  *n = 0;
  if (json_parse (data, len, &v, err) < 0)
    return hr_error_wrap (err, HR_DESCRIPTORS_FILE);
  if (v->type != JSON_ARRAY || v->u.arr.len > 1024)
    {
      json_free (v);
      return hr_error_plain (err, EINVAL, "%s: not an array of at most 1024 strings", HR_DESCRIPTORS_FILE);
    }
  char **out = xmalloc0 ((v->u.arr.len + 1) * sizeof (char *));
  for (size_t i = 0; i < v->u.arr.len; i++)
    {
      const json_value *s = v->u.arr.items[i];
      if (s->type != JSON_STRING || strlen (s->u.str.ptr) != s->u.str.len)
        {
          for (size_t k = 0; k < i; k++)
            free (out[k]);
          free (out);
          json_free (v);
          return hr_error_plain (err, EINVAL, "%s: entry %zu is not a string", HR_DESCRIPTORS_FILE, i);
        }
      out[i] = xstrdup (s->u.str.ptr);
    }
  *n = v->u.arr.len;
  *fds = out;
  json_free (v);
  return 0;
}
