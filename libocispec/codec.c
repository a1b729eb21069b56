/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic, table-driven codec: JSON tree <-> C structs, driven by the
 * descriptors of tables.c.  One function per field *kind*, none per field.
 *
 * Decoding follows config.md "Extensibility": unknown properties are
 * ignored; everything the schema constrains (types, integer ranges, enum
 * members, patterns, required members) is refused with the JSON path of the
 * offending value, e.g. `.linux.namespaces[2].type: unknown namespace type
 * "foo"`.  JSON null is treated as absent, as Go's encoding/json (used by
 * runc and by most producers of these documents) does.
 *
 * Encoding emits only present members and re-checks the same constraints,
 * so a document we write always parses back.
 */
#include <config.h>
#include "codec.h"
#include "oci.h"
#include "util.h"
#include "cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path to the value being processed, as a chain of stack frames:
   no allocation unless an error has to be reported. */
typedef struct path
{
  const struct path *up;
  enum { P_ROOT, P_FIELD, P_INDEX, P_KEY } kind;
  const char *key;
  size_t index;
} path;

/* Append s to the message as a quoted, escaped and truncated literal:
   values come from untrusted input and end up on a terminal. */
static void
put_quoted (FILE *f, const char *s)
{
  size_t n = 0;
  fputc ('"', f);
  for (; *s; s++, n++)
    {
      unsigned char ch = (unsigned char) *s;
      if (n == 64)
        {
          fputs ("...", f);
          break;
        }
      if (ch == '"' || ch == '\\')
        fprintf (f, "\\%c", ch);
      else if (ch < 0x20 || ch == 0x7f)
        fprintf (f, "\\x%02x", ch);
      else
        fputc (ch, f);
    }
  fputc ('"', f);
}

static void
put_path (FILE *f, const path *p)
{
  if (p == NULL || p->kind == P_ROOT)
    return;
  put_path (f, p->up);
  switch (p->kind)
    {
    case P_FIELD:
      fprintf (f, ".%s", p->key);
      break;
    case P_INDEX:
      fprintf (f, "[%zu]", p->index);
      break;
    case P_KEY:
      fputc ('[', f);
      put_quoted (f, p->key);
      fputc (']', f);
      break;
    default:
      break;
    }
}

/* "<path>: <message>", or just the message at the root.  Values taken
   from the input are quoted through fail_value. */
static int __attribute__ ((format (printf, 3, 4)))
fail (hr_err *err, const path *p, const char *fmt, ...)
{
  _cleanup_free_ char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  va_list ap;

  if (f == NULL)
    return hr_error_set (err, ENOMEM, "out of memory");
  put_path (f, p);
  if (ftell (f) > 0)
    fputs (": ", f);
  va_start (ap, fmt);
  vfprintf (f, fmt, ap);
  va_end (ap);
  fclose (f);
  /* EINVAL for callers testing the errno, without ": Invalid argument"
     appended to the message. */
  return hr_error_from_msg (err, EINVAL, buf);
}

/* "<path>: <what> \"<value>\"<tail>" with the value quoted. */
static int
fail_value (hr_err *err, const path *p, const char *what, const char *value, const char *tail)
{
  _cleanup_free_ char *q = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&q, &size);
  if (f == NULL)
    return hr_error_set (err, ENOMEM, "out of memory");
  put_quoted (f, value);
  fclose (f);
  return fail (err, p, "%s %s%s", what, q, tail ? tail : "");
}

/* Pattern of one string (decoding and encoding). */
static int
check_string (const oci_field_desc *f, const char *s, const path *p, hr_err *err)
{
  if (f->pattern && !oci_pattern_match (f->pattern, s))
    {
      _cleanup_free_ char *tail = NULL;
      size_t size = 0;
      FILE *t = open_memstream (&tail, &size);
      if (t == NULL)
        return hr_error_set (err, ENOMEM, "out of memory");
      fputs (" (must match ", t);
      put_quoted (t, f->pattern);
      fputs (")", t);
      fclose (t);
      return fail_value (err, p, "invalid value", s, tail);
    }
  return 0;
}

static size_t
itype_size (oci_itype t)
{
  switch (t)
    {
    case OCI_I_I32:
    case OCI_I_U32:
      return 4;
    case OCI_I_I64:
    case OCI_I_U64:
      return 8;
    case OCI_I_U16:
      return 2;
    case OCI_I_U8:
      return 1;
    }
  return 8;
}

static bool
itype_signed (oci_itype t)
{
  return t == OCI_I_I32 || t == OCI_I_I64;
}

/* Integers travel between JSON and the struct as (neg, magnitude-or-value):
   neg => sv holds the (negative) value, else uv does. */
typedef struct ival
{
  bool neg;
  int64_t sv;
  uint64_t uv;
} ival;

static void
store_int (oci_itype t, void *dst, ival v)
{
  switch (t)
    {
    case OCI_I_I32:
      *(int32_t *) dst = (int32_t) (v.neg ? v.sv : (int64_t) v.uv);
      break;
    case OCI_I_I64:
      *(int64_t *) dst = v.neg ? v.sv : (int64_t) v.uv;
      break;
    case OCI_I_U32:
      *(uint32_t *) dst = (uint32_t) v.uv;
      break;
    case OCI_I_U64:
      *(uint64_t *) dst = v.uv;
      break;
    case OCI_I_U16:
      *(uint16_t *) dst = (uint16_t) v.uv;
      break;
    case OCI_I_U8:
      *(uint8_t *) dst = (uint8_t) v.uv;
      break;
    }
}

static ival
load_int (oci_itype t, const void *src)
{
  ival v = { 0 };
  int64_t s;
  switch (t)
    {
    case OCI_I_I32:
      s = *(const int32_t *) src;
      goto sig;
    case OCI_I_I64:
      s = *(const int64_t *) src;
    sig:
      if (s < 0)
        {
          v.neg = true;
          v.sv = s;
        }
      else
        v.uv = (uint64_t) s;
      break;
    case OCI_I_U32:
      v.uv = *(const uint32_t *) src;
      break;
    case OCI_I_U64:
      v.uv = *(const uint64_t *) src;
      break;
    case OCI_I_U16:
      v.uv = *(const uint16_t *) src;
      break;
    case OCI_I_U8:
      v.uv = *(const uint8_t *) src;
      break;
    }
  return v;
}

static bool
in_range (const oci_field_desc *f, ival v)
{
  if (v.neg)
    return v.sv >= f->min;
  return v.uv <= f->max && (f->min <= 0 || v.uv >= (uint64_t) f->min);
}

static int
fail_range (hr_err *err, const path *p, const oci_field_desc *f, const char *text)
{
  return fail (err, p, "out of range: %s (allowed %" PRId64 "..%" PRIu64 ")", text, f->min,
               f->max);
}

/* JSON number (raw text, grammar already checked by the parser) -> ival. */
static int
decode_int (const oci_field_desc *f, const json_value *m, const path *p, ival *out, hr_err *err)
{
  const char *t;
  char *end = NULL;
  ival v = { 0 };

  if (m->type != JSON_NUMBER)
    return fail (err, p, "expected integer, got %s", json_type_name (m->type));
  t = m->u.str.ptr;
  if (strpbrk (t, ".eE"))
    return fail_value (err, p, "expected integer, got non-integer number", t, NULL);
  errno = 0;
  if (t[0] == '-')
    {
      v.sv = strtoll (t, &end, 10);
      if (errno == ERANGE)
        return fail_range (err, p, f, t);
      if (v.sv != 0 && !itype_signed (f->itype))
        return fail (err, p, "expected non-negative integer, got %s", t);
      v.neg = v.sv < 0;
    }
  else
    {
      v.uv = strtoull (t, &end, 10);
      if (errno == ERANGE)
        return fail_range (err, p, f, t);
    }
  if (end == NULL || *end != '\0')
    return fail_value (err, p, "invalid number", t, NULL);
  if (!in_range (f, v))
    return fail_range (err, p, f, t);
  *out = v;
  return 0;
}

static int decode_struct (const oci_struct_desc *d, const json_value *v, const path *p,
                          void **out, hr_err *err);

static int
expect (const json_value *m, json_type t, const char *what, const path *p, hr_err *err)
{
  if (m->type != t)
    return fail (err, p, "expected %s, got %s", what, json_type_name (m->type));
  return 0;
}

static int
decode_string (const oci_field_desc *f, const json_value *m, const path *p, char **out,
               hr_err *err)
{
  if (expect (m, JSON_STRING, "string", p, err) < 0)
    return -1;
  if (check_string (f, m->u.str.ptr, p, err) < 0)
    return -1;
  *out = xstrdup (m->u.str.ptr);
  return 0;
}

/* An enumeration: the string becomes its index, once, here; the rest of
   the runtime compares values, never strings. */
static int
decode_enum (const oci_field_desc *f, const json_value *m, const path *p, int *out, hr_err *err)
{
  int idx;
  if (expect (m, JSON_STRING, "string", p, err) < 0)
    return -1;
  idx = oci_enum_index (f->enum_id, m->u.str.ptr);
  if (idx < 0)
    {
      _cleanup_free_ char *what = xasprintf ("unknown %s", oci_enum_description (f->enum_id));
      return fail_value (err, p, what, m->u.str.ptr, NULL);
    }
  *out = idx;
  return 0;
}

/* Generic view of both map kinds (same layout, checked in tables.c). */
typedef struct gmap
{
  char **keys;
  void **values;
  size_t len;
} gmap;

static int
decode_field (const oci_field_desc *f, const json_value *m, char *obj, const path *p,
              hr_err *err)
{
  void *dst = obj + f->off;
  size_t *lenp = (size_t *) (obj + f->aux_off);
  size_t n;

  switch (f->kind)
    {
    case OCI_K_STR:
      return decode_string (f, m, p, (char **) dst, err);

    case OCI_K_ENUM:
      if (decode_enum (f, m, p, (int *) dst, err) < 0)
        return -1;
      *(bool *) (obj + f->aux_off) = true;
      return 0;

    case OCI_K_BOOL:
      if (expect (m, JSON_BOOL, "boolean", p, err) < 0)
        return -1;
      *(bool *) dst = m->u.boolean;
      *(bool *) (obj + f->aux_off) = true;
      return 0;

    case OCI_K_INT:
      {
        ival v;
        if (decode_int (f, m, p, &v, err) < 0)
          return -1;
        store_int (f->itype, dst, v);
        *(bool *) (obj + f->aux_off) = true;
        return 0;
      }

    case OCI_K_STRV:
    case OCI_K_INTV:
    case OCI_K_ENUMV:
    case OCI_K_OBJV:
      if (expect (m, JSON_ARRAY, "array", p, err) < 0)
        return -1;
      n = m->u.arr.len;
      if (n == 0 && f->req == OCI_NONEMPTY)
        return fail (err, p, "must not be empty");
      /* Store the array first and grow *lenp item by item, so that the
         caller's free of a half-decoded struct releases exactly what was
         decoded.  String and object arrays get a NULL terminator. */
      if (f->kind == OCI_K_INTV)
        *(void **) dst = xmalloc0 ((n ? n : 1) * itype_size (f->itype));
      else if (f->kind == OCI_K_ENUMV)
        *(void **) dst = xmalloc0 ((n ? n : 1) * sizeof (int));
      else
        *(void **) dst = xmalloc0 ((n + 1) * sizeof (void *));
      *lenp = 0;
      for (size_t i = 0; i < n; i++)
        {
          path ip = { p, P_INDEX, NULL, i };
          const json_value *item = m->u.arr.items[i];
          if (f->kind == OCI_K_STRV)
            {
              if (decode_string (f, item, &ip, &(*(char ***) dst)[i], err) < 0)
                return -1;
            }
          else if (f->kind == OCI_K_INTV)
            {
              ival v;
              if (decode_int (f, item, &ip, &v, err) < 0)
                return -1;
              store_int (f->itype, (char *) *(void **) dst + i * itype_size (f->itype), v);
            }
          else if (f->kind == OCI_K_ENUMV)
            {
              if (decode_enum (f, item, &ip, &(*(int **) dst)[i], err) < 0)
                return -1;
            }
          else if (decode_struct (f->sub, item, &ip, &(*(void ***) dst)[i], err) < 0)
            return -1;
          (*lenp)++;
        }
      return 0;

    case OCI_K_OBJ:
      return decode_struct (f->sub, m, p, (void **) dst, err);

    case OCI_K_SMAP:
    case OCI_K_OMAP:
      {
        gmap *g = dst;
        if (expect (m, JSON_OBJECT, "object", p, err) < 0)
          return -1;
        n = m->u.obj.len;
        g->keys = xmalloc0 ((n + 1) * sizeof (char *));
        g->values = xmalloc0 ((n + 1) * sizeof (void *));
        g->len = 0;
        for (size_t i = 0; i < n; i++)
          {
            path kp = { p, P_KEY, m->u.obj.keys[i], 0 };
            const json_value *val = m->u.obj.values[i];
            if (f->kind == OCI_K_SMAP)
              {
                if (decode_string (f, val, &kp, (char **) &g->values[i], err) < 0)
                  return -1;
              }
            else if (decode_struct (f->sub, val, &kp, &g->values[i], err) < 0)
              return -1;
            g->keys[i] = xstrdup (m->u.obj.keys[i]);
            g->len++;
          }
        return 0;
      }
    }
  return fail (err, p, "internal error: unknown field kind");
}

static int
decode_fields (const oci_struct_desc *d, const json_value *v, char *obj, const path *p,
               hr_err *err)
{
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const oci_field_desc *f = &d->fields[i];
      const json_value *m = json_object_get (v, f->json);
      path fp = { p, P_FIELD, f->json, 0 };

      if (m == NULL || m->type == JSON_NULL)
        {
          if (f->req != OCI_OPT)
            return fail (err, &fp, "missing required field");
          continue;
        }
      if (decode_field (f, m, obj, &fp, err) < 0)
        return -1;
    }
  return 0;
}

static int
decode_struct (const oci_struct_desc *d, const json_value *v, const path *p, void **out,
               hr_err *err)
{
  void *obj;

  if (expect (v, JSON_OBJECT, "object", p, err) < 0)
    return -1;
  obj = xmalloc0 (d->size);
  if (decode_fields (d, v, obj, p, err) < 0)
    {
      oci_struct_free (d, obj);
      return -1;
    }
  *out = obj;
  return 0;
}

int
oci_decode (const oci_struct_desc *d, const json_value *v, void **out, hr_err *err)
{
  path root = { NULL, P_ROOT, NULL, 0 };
  return decode_struct (d, v, &root, out, err);
}

/* Encoding. */

static json_value *
int_to_json (ival v)
{
  char buf[32];
  int n;
  if (v.neg)
    n = snprintf (buf, sizeof (buf), "%" PRId64, v.sv);
  else
    n = snprintf (buf, sizeof (buf), "%" PRIu64, v.uv);
  return json_new_number_raw (buf, (size_t) n);
}

static int
encode_int (const oci_field_desc *f, const void *src, const path *p, json_value **out,
            hr_err *err)
{
  ival v = load_int (f->itype, src);
  if (!in_range (f, v))
    {
      char buf[32];
      if (v.neg)
        snprintf (buf, sizeof (buf), "%" PRId64, v.sv);
      else
        snprintf (buf, sizeof (buf), "%" PRIu64, v.uv);
      return fail_range (err, p, f, buf);
    }
  *out = int_to_json (v);
  return 0;
}

static int
encode_string (const oci_field_desc *f, const char *s, const path *p, json_value **out,
               hr_err *err)
{
  if (s == NULL)
    return fail (err, p, "missing value");
  if (check_string (f, s, p, err) < 0)
    return -1;
  *out = json_new_string (s);
  return 0;
}

static int
encode_enum (const oci_field_desc *f, int v, const path *p, json_value **out, hr_err *err)
{
  const char *const *vals = oci_enum_values (f->enum_id);
  size_t n = 0;
  while (vals[n])
    n++;
  if (v < 0 || (size_t) v >= n)
    return fail (err, p, "invalid %s (value %d)", oci_enum_description (f->enum_id), v);
  *out = json_new_string (vals[v]);
  return 0;
}

static int encode_struct (const oci_struct_desc *d, const void *obj, const path *p,
                          json_value **out, hr_err *err);

/* Encode one present field into *out.  Returns 0 with *out NULL when the
   field is absent (and optional). */
static int
encode_field (const oci_field_desc *f, const char *obj, const path *p, json_value **out,
              hr_err *err)
{
  const void *src = obj + f->off;
  size_t n = (f->kind == OCI_K_STRV || f->kind == OCI_K_INTV || f->kind == OCI_K_ENUMV
               || f->kind == OCI_K_OBJV)
               ? *(const size_t *) (obj + f->aux_off) : 0;
  _cleanup_ (json_freep) json_value *a = NULL;

  *out = NULL;
  switch (f->kind)
    {
    case OCI_K_STR:
      if (*(char *const *) src == NULL)
        break;
      return encode_string (f, *(char *const *) src, p, out, err);

    case OCI_K_ENUM:
      /* Unlike a number, no value of an enumeration is a neutral zero: a
         required one that was not set is missing. */
      if (!*(const bool *) (obj + f->aux_off))
        break;
      return encode_enum (f, *(const int *) src, p, out, err);

    case OCI_K_BOOL:
      /* Required scalars are written even when the caller did not set
         _present: the value is then the zero it holds. */
      if (!*(const bool *) (obj + f->aux_off) && f->req == OCI_OPT)
        return 0;
      *out = json_new_bool (*(const bool *) src);
      return 0;

    case OCI_K_INT:
      if (!*(const bool *) (obj + f->aux_off) && f->req == OCI_OPT)
        return 0;
      return encode_int (f, src, p, out, err);

    case OCI_K_STRV:
    case OCI_K_INTV:
    case OCI_K_ENUMV:
    case OCI_K_OBJV:
      if (*(void *const *) src == NULL)
        break;
      if (n == 0 && f->req == OCI_NONEMPTY)
        return fail (err, p, "must not be empty");
      a = json_new_array ();
      for (size_t i = 0; i < n; i++)
        {
          path ip = { p, P_INDEX, NULL, i };
          json_value *item = NULL;
          int r;
          if (f->kind == OCI_K_STRV)
            r = encode_string (f, (*(char **const *) src)[i], &ip, &item, err);
          else if (f->kind == OCI_K_INTV)
            r = encode_int (f, (const char *) *(void *const *) src + i * itype_size (f->itype),
                            &ip, &item, err);
          else if (f->kind == OCI_K_ENUMV)
            r = encode_enum (f, (*(int *const *) src)[i], &ip, &item, err);
          else
            r = encode_struct (f->sub, (*(void **const *) src)[i], &ip, &item, err);
          if (r < 0)
            return -1;
          json_array_append (a, item);
        }
      *out = TAKE_PTR (a);
      return 0;

    case OCI_K_OBJ:
      if (*(void *const *) src == NULL)
        break;
      return encode_struct (f->sub, *(void *const *) src, p, out, err);

    case OCI_K_SMAP:
    case OCI_K_OMAP:
      {
        const gmap *g = src;
        if (g->keys == NULL)
          break;
        a = json_new_object ();
        for (size_t i = 0; i < g->len; i++)
          {
            json_value *item = NULL;
            path kp = { p, P_KEY, g->keys[i], 0 };
            int r;
            if (g->keys[i] == NULL)
              return fail (err, p, "missing key");
            if (f->kind == OCI_K_SMAP)
              r = encode_string (f, g->values ? (const char *) g->values[i] : NULL, &kp, &item,
                                 err);
            else
              r = encode_struct (f->sub, g->values ? g->values[i] : NULL, &kp, &item, err);
            if (r < 0)
              return -1;
            json_object_append (a, g->keys[i], strlen (g->keys[i]), item);
          }
        /* Two equal keys would not survive a round trip. */
        json_object_dedup (a);
        *out = TAKE_PTR (a);
        return 0;
      }
    }
  if (f->req != OCI_OPT)
    return fail (err, p, "missing required field");
  return 0;
}

static int
encode_struct (const oci_struct_desc *d, const void *obj, const path *p, json_value **out,
               hr_err *err)
{
  _cleanup_ (json_freep) json_value *o = NULL;

  if (obj == NULL)
    return fail (err, p, "missing value");
  o = json_new_object ();
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const oci_field_desc *f = &d->fields[i];
      path fp = { p, P_FIELD, f->json, 0 };
      json_value *v = NULL;

      if (encode_field (f, obj, &fp, &v, err) < 0)
        return -1;
      if (v)
        json_object_append (o, f->json, strlen (f->json), v);
    }
  *out = TAKE_PTR (o);
  return 0;
}

int
oci_encode (const oci_struct_desc *d, const void *obj, json_value **out, hr_err *err)
{
  path root = { NULL, P_ROOT, NULL, 0 };
  return encode_struct (d, obj, &root, out, err);
}

/* Freeing.  Recursion depth is bounded by the static nesting of the
   declarations (not by input), so plain recursion is safe here. */
void
oci_struct_free (const oci_struct_desc *d, void *objp)
{
  char *obj = objp;

  if (obj == NULL)
    return;
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const oci_field_desc *f = &d->fields[i];
      void *dst = obj + f->off;
      size_t n = 0;

      if (f->kind == OCI_K_STRV || f->kind == OCI_K_OBJV)
        n = *(size_t *) (obj + f->aux_off);
      switch (f->kind)
        {
        case OCI_K_STR:
          free (*(char **) dst);
          break;
        case OCI_K_STRV:
          if (*(char ***) dst)
            for (size_t j = 0; j < n; j++)
              free ((*(char ***) dst)[j]);
          free (*(void **) dst);
          break;
        case OCI_K_OBJV:
          if (*(void ***) dst)
            for (size_t j = 0; j < n; j++)
              oci_struct_free (f->sub, (*(void ***) dst)[j]);
          free (*(void **) dst);
          break;
        case OCI_K_INTV:
        case OCI_K_ENUMV:
          free (*(void **) dst);
          break;
        case OCI_K_OBJ:
          oci_struct_free (f->sub, *(void **) dst);
          break;
        case OCI_K_SMAP:
        case OCI_K_OMAP:
          {
            gmap *g = dst;
            for (size_t j = 0; j < g->len; j++)
              {
                if (g->keys)
                  free (g->keys[j]);
                if (g->values == NULL)
                  continue;
                if (f->kind == OCI_K_SMAP)
                  free (g->values[j]);
                else
                  oci_struct_free (f->sub, g->values[j]);
              }
            free (g->keys);
            free (g->values);
            break;
          }
        case OCI_K_BOOL:
        case OCI_K_INT:
        case OCI_K_ENUM:
          break;
        }
    }
  free (obj);
}
