/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON backend: yajl.  The only file that includes yajl headers.
 *
 * Parsing uses yajl's callback API (not yajl_tree) so that we control the
 * tree: numbers stay raw text (yajl_number callback), strings keep their
 * length and are checked for NUL, and nesting is bounded while parsing
 * rather than after an unbounded tree has been built.
 */
#include <config.h>
#include "json.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

/* Malformed input is EINVAL, but strerror adds nothing to the message. */
static int __attribute__ ((format (printf, 2, 3)))
invalid (hr_err *err, const char *fmt, ...)
{
  _cleanup_free_ char *m = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&m, fmt, ap) < 0)
    m = NULL;
  va_end (ap);
  return hr_error_from_msg (err, EINVAL, m ? m : "invalid JSON");
}

struct parse_ctx
{
  json_value *root;
  /* Open containers, innermost last. */
  json_value *stack[JSON_MAX_DEPTH];
  size_t depth;
  /* Key of the object member whose value comes next. */
  char *key;
  size_t key_len;
  /* Why a callback cancelled the parse (static string). */
  const char *why;
};

/* Attach a finished or just-opened value to its parent.  Attaching at once
   (rather than when a container closes) means freeing the root frees all
   partial work after an error. */
static int
attach (struct parse_ctx *c, json_value *v)
{
  json_value *top;

  if (c->depth == 0)
    {
      if (c->root != NULL)
        {
          /* yajl refuses a second top-level value without
             yajl_allow_multiple_values; be safe anyway. */
          json_free (v);
          c->why = "trailing data after the document";
          return 0;
        }
      c->root = v;
      return 1;
    }
  top = c->stack[c->depth - 1];
  if (top->type == JSON_ARRAY)
    json_array_append (top, v);
  else
    {
      json_object_append (top, c->key ? c->key : "", c->key_len, v);
      free (c->key);
      c->key = NULL;
      c->key_len = 0;
    }
  return 1;
}

static int
has_nul (const unsigned char *s, size_t len)
{
  return len > 0 && memchr (s, '\0', len) != NULL;
}

/* Strict UTF-8 (RFC 3629): yajl's own check lets through surrogates
   (ED A0..BF xx) and some overlong forms, which later consumers (the kernel
   does not care, but SELinux labels, annotations passed to hooks, our own
   generator) may treat differently. */
static bool
utf8_valid (const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len)
    {
      unsigned char c = s[i];
      size_t n;
      unsigned char lo = 0x80, hi = 0xbf;

      if (c < 0x80)
        {
          i++;
          continue;
        }
      if (c >= 0xc2 && c <= 0xdf)
        n = 1;
      else if (c >= 0xe0 && c <= 0xef)
        {
          n = 2;
          if (c == 0xe0)
            lo = 0xa0; /* overlong */
          else if (c == 0xed)
            hi = 0x9f; /* surrogates */
        }
      else if (c >= 0xf0 && c <= 0xf4)
        {
          n = 3;
          if (c == 0xf0)
            lo = 0x90; /* overlong */
          else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
        }
      else
        return false;
      if (len - i <= n)
        return false;
      if (s[i + 1] < lo || s[i + 1] > hi)
        return false;
      for (size_t k = 2; k <= n; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
          return false;
      i += n + 1;
    }
  return true;
}

static int
cb_null (void *ctx)
{
  return attach (ctx, json_new_null ());
}

static int
cb_boolean (void *ctx, int b)
{
  return attach (ctx, json_new_bool (b != 0));
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
  return attach (ctx, json_new_number_raw (s, len));
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  struct parse_ctx *c = ctx;
  /* A NUL would silently truncate the string once used as a C string
     (a path, an argv element): refuse it. */
  if (has_nul (s, len))
    {
      c->why = "string contains a NUL character (\\u0000)";
      return 0;
    }
  if (!utf8_valid (s, len))
    {
      c->why = "string is not valid UTF-8";
      return 0;
    }
  return attach (c, json_new_string_len ((const char *) s, len));
}

static int
cb_map_key (void *ctx, const unsigned char *s, size_t len)
{
  struct parse_ctx *c = ctx;
  if (has_nul (s, len))
    {
      c->why = "object key contains a NUL character (\\u0000)";
      return 0;
    }
  if (!utf8_valid (s, len))
    {
      c->why = "object key is not valid UTF-8";
      return 0;
    }
  free (c->key);
  c->key = xmalloc0 (len + 1);
  memcpy (c->key, s, len);
  c->key_len = len;
  return 1;
}

static int
open_container (struct parse_ctx *c, json_value *v)
{
  if (c->depth >= JSON_MAX_DEPTH)
    {
      json_free (v);
      c->why = "nesting too deep";
      return 0;
    }
  if (!attach (c, v))
    return 0;
  c->stack[c->depth++] = v;
  return 1;
}

static int
cb_start_map (void *ctx)
{
  return open_container (ctx, json_new_object ());
}

static int
cb_start_array (void *ctx)
{
  return open_container (ctx, json_new_array ());
}

static int
cb_end_map (void *ctx)
{
  struct parse_ctx *c = ctx;
  json_object_dedup (c->stack[--c->depth]);
  return 1;
}

static int
cb_end_array (void *ctx)
{
  struct parse_ctx *c = ctx;
  c->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  /* With yajl_number set, yajl hands over the raw text and never calls
     yajl_integer/yajl_double. */
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_map_key,
  .yajl_end_map = cb_end_map,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end_array,
};

/* yajl's messages end with ".\n" or a newline; trim for embedding. */
static char *
yajl_message (yajl_handle h, const char *data, size_t len)
{
  unsigned char *m = yajl_get_error (h, 0, (const unsigned char *) data, len);
  char *r = xstrdup (m ? (const char *) m : "parse error");
  size_t n = strlen (r);

  if (m)
    yajl_free_error (h, m);
  while (n > 0 && (r[n - 1] == '\n' || r[n - 1] == ' ' || r[n - 1] == '.'))
    r[--n] = '\0';
  return r;
}

int
json_parse (const char *data, size_t len, json_value **out, hr_err *err)
{
  struct parse_ctx c = { 0 };
  yajl_handle h;
  yajl_status st;
  int ret = 0;

  if (len == 0)
    return invalid (err, "invalid JSON: empty document");

  h = yajl_alloc (&callbacks, NULL, &c);
  if (h == NULL)
    return hr_error_set (err, ENOMEM, "invalid JSON: cannot allocate parser");
  /* Defaults are what we want, spelled out: strict RFC 8259, UTF-8
     validated, no comments, exactly one value, nothing after it. */
  yajl_config (h, yajl_allow_comments, 0);
  yajl_config (h, yajl_dont_validate_strings, 0);
  yajl_config (h, yajl_allow_trailing_garbage, 0);
  yajl_config (h, yajl_allow_multiple_values, 0);
  yajl_config (h, yajl_allow_partial_values, 0);

  st = yajl_parse (h, (const unsigned char *) data, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (st != yajl_status_ok)
    {
      if (st == yajl_status_client_canceled && c.why)
        ret = invalid (err, "invalid JSON: %s (at byte %zu)", c.why,
                            (size_t) yajl_get_bytes_consumed (h));
      else
        {
          _cleanup_free_ char *m = yajl_message (h, data, len);
          ret = invalid (err, "invalid JSON: %s", m);
        }
    }
  else if (c.root == NULL)
    ret = invalid (err, "invalid JSON: empty document");
  yajl_free (h);
  free (c.key);
  if (ret < 0)
    {
      json_free (c.root);
      return ret;
    }
  *out = c.root;
  return 0;
}

static void
gen_free (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}

static int
gen_fail (hr_err *err, yajl_gen_status s)
{
  switch (s)
    {
    case yajl_gen_invalid_string:
      return invalid (err, "cannot serialize: string is not valid UTF-8");
    case yajl_gen_invalid_number:
      return invalid (err, "cannot serialize: invalid number");
    case yajl_max_depth_exceeded:
      return invalid (err, "cannot serialize: nesting too deep");
    default:
      return invalid (err, "cannot serialize: JSON generator error %d", (int) s);
    }
}

/* yajl's beautifier prints an empty container as "[\n\n\t]"; write "[]"
   and "{}" as one atom instead, as runc (Go's MarshalIndent) does.
   yajl_gen_number inserts its text verbatim with the usual separators. */
static yajl_gen_status
gen_empty (yajl_gen g, const char *atom)
{
  return yajl_gen_number (g, atom, 2);
}

struct emit_frame
{
  const json_value *v;
  size_t next;
  bool opened;
};

int
json_emit (const json_value *v, bool pretty, char **out, size_t *len, hr_err *err)
{
  __attribute__ ((cleanup (gen_free))) yajl_gen g = yajl_gen_alloc (NULL);
  _cleanup_free_ struct emit_frame *stack = NULL;
  size_t n = 0, cap = 16;
  const unsigned char *buf;
  size_t buflen;
  yajl_gen_status s = yajl_gen_status_ok;

  if (g == NULL)
    return hr_error_set (err, ENOMEM, "cannot allocate JSON generator");
  yajl_gen_config (g, yajl_gen_beautify, pretty ? 1 : 0);
  if (pretty)
    yajl_gen_config (g, yajl_gen_indent_string, "\t");
  /* Never write a document that our own parser would refuse. */
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);

  /* Iterative walk (explicit stack) so any tree depth is safe. */
  stack = xmalloc0 (cap * sizeof (*stack));
  stack[n++] = (struct emit_frame) { v, 0, false };
  while (n > 0 && s == yajl_gen_status_ok)
    {
      struct emit_frame *f = &stack[n - 1];
      const json_value *c = f->v, *child = NULL;

      switch (c->type)
        {
        case JSON_NULL:
          s = yajl_gen_null (g);
          n--;
          continue;
        case JSON_BOOL:
          s = yajl_gen_bool (g, c->u.boolean);
          n--;
          continue;
        case JSON_NUMBER:
          s = yajl_gen_number (g, c->u.str.ptr, c->u.str.len);
          n--;
          continue;
        case JSON_STRING:
          s = yajl_gen_string (g, (const unsigned char *) c->u.str.ptr, c->u.str.len);
          n--;
          continue;
        case JSON_ARRAY:
          if (!f->opened && c->u.arr.len == 0)
            {
              s = gen_empty (g, "[]");
              n--;
              continue;
            }
          if (!f->opened)
            {
              f->opened = true;
              s = yajl_gen_array_open (g);
              continue;
            }
          if (f->next == c->u.arr.len)
            {
              s = yajl_gen_array_close (g);
              n--;
              continue;
            }
          child = c->u.arr.items[f->next++];
          break;
        case JSON_OBJECT:
          if (!f->opened && c->u.obj.len == 0)
            {
              s = gen_empty (g, "{}");
              n--;
              continue;
            }
          if (!f->opened)
            {
              f->opened = true;
              s = yajl_gen_map_open (g);
              continue;
            }
          if (f->next == c->u.obj.len)
            {
              s = yajl_gen_map_close (g);
              n--;
              continue;
            }
          s = yajl_gen_string (g, (const unsigned char *) c->u.obj.keys[f->next],
                               strlen (c->u.obj.keys[f->next]));
          child = c->u.obj.values[f->next++];
          break;
        }
      if (s != yajl_gen_status_ok)
        break;
      if (n == cap)
        stack = xrealloc (stack, (cap *= 2) * sizeof (*stack));
      stack[n++] = (struct emit_frame) { child, 0, false };
    }
  if (s != yajl_gen_status_ok)
    return gen_fail (err, s);
  s = yajl_gen_get_buf (g, &buf, &buflen);
  if (s != yajl_gen_status_ok)
    return gen_fail (err, s);
  *out = xmalloc0 (buflen + 1);
  memcpy (*out, buf, buflen);
  if (len)
    *len = buflen;
  return 0;
}
