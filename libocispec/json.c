/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree: construction, lookup and freeing (backend independent). */
#include <config.h>
#include "json.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static json_value *
json_new (json_type t)
{
  json_value *v = xmalloc0 (sizeof (*v));
  v->type = t;
  return v;
}

json_value *
json_new_null (void)
{
  return json_new (JSON_NULL);
}

json_value *
json_new_bool (bool b)
{
  json_value *v = json_new (JSON_BOOL);
  v->u.boolean = b;
  return v;
}

static char *
memdup0 (const char *s, size_t len)
{
  char *r = xmalloc0 (len + 1);
  if (len)
    memcpy (r, s, len);
  return r;
}

json_value *
json_new_string_len (const char *s, size_t len)
{
  json_value *v = json_new (JSON_STRING);
  v->u.str.ptr = memdup0 (s, len);
  v->u.str.len = len;
  return v;
}

json_value *
json_new_string (const char *s)
{
  return json_new_string_len (s, strlen (s));
}

json_value *
json_new_number_raw (const char *text, size_t len)
{
  json_value *v = json_new (JSON_NUMBER);
  v->u.str.ptr = memdup0 (text, len);
  v->u.str.len = len;
  return v;
}

json_value *
json_new_array (void)
{
  return json_new (JSON_ARRAY);
}

json_value *
json_new_object (void)
{
  return json_new (JSON_OBJECT);
}

void
json_array_append (json_value *a, json_value *v)
{
  if (a->u.arr.len == a->u.arr.cap)
    {
      a->u.arr.cap = a->u.arr.cap ? a->u.arr.cap * 2 : 4;
      a->u.arr.items = xrealloc (a->u.arr.items, a->u.arr.cap * sizeof (json_value *));
    }
  a->u.arr.items[a->u.arr.len++] = v;
}

void
json_object_append (json_value *o, const char *key, size_t key_len, json_value *v)
{
  if (o->u.obj.len == o->u.obj.cap)
    {
      o->u.obj.cap = o->u.obj.cap ? o->u.obj.cap * 2 : 4;
      o->u.obj.keys = xrealloc (o->u.obj.keys, o->u.obj.cap * sizeof (char *));
      o->u.obj.values = xrealloc (o->u.obj.values, o->u.obj.cap * sizeof (json_value *));
    }
  o->u.obj.keys[o->u.obj.len] = memdup0 (key, key_len);
  o->u.obj.values[o->u.obj.len] = v;
  o->u.obj.len++;
}

/* Sort indices by (key, index) so equal keys are adjacent, in order. */
static int
dedup_cmp (const void *a, const void *b, void *keysp)
{
  char *const *keys = keysp;
  size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
  int r = strcmp (keys[ia], keys[ib]);
  if (r)
    return r;
  return ia < ib ? -1 : ia > ib;
}

void
json_object_dedup (json_value *o)
{
  size_t n = o->u.obj.len, i, w;
  _cleanup_free_ size_t *idx = NULL;
  _cleanup_free_ bool *dead = NULL;
  bool any = false;

  if (n < 2)
    return;
  /* Sorting keeps this O(n log n): a hostile document may hold a million
     keys in one object. */
  idx = xmalloc0 (n * sizeof (size_t));
  dead = xmalloc0 (n * sizeof (bool));
  for (i = 0; i < n; i++)
    idx[i] = i;
  qsort_r (idx, n, sizeof (size_t), dedup_cmp, o->u.obj.keys);
  for (i = 0; i + 1 < n; i++)
    if (strcmp (o->u.obj.keys[idx[i]], o->u.obj.keys[idx[i + 1]]) == 0)
      {
        dead[idx[i]] = true;
        any = true;
      }
  if (!any)
    return;
  for (i = 0, w = 0; i < n; i++)
    {
      if (dead[i])
        {
          free (o->u.obj.keys[i]);
          json_free (o->u.obj.values[i]);
          continue;
        }
      o->u.obj.keys[w] = o->u.obj.keys[i];
      o->u.obj.values[w] = o->u.obj.values[i];
      w++;
    }
  o->u.obj.len = w;
}

const json_value *
json_object_get (const json_value *o, const char *key)
{
  if (o == NULL || o->type != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < o->u.obj.len; i++)
    if (strcmp (o->u.obj.keys[i], key) == 0)
      return o->u.obj.values[i];
  return NULL;
}

const char *
json_type_name (json_type t)
{
  switch (t)
    {
    case JSON_NULL:
      return "null";
    case JSON_BOOL:
      return "boolean";
    case JSON_NUMBER:
      return "number";
    case JSON_STRING:
      return "string";
    case JSON_ARRAY:
      return "array";
    case JSON_OBJECT:
      return "object";
    }
  return "unknown";
}

void
json_free (json_value *v)
{
  /* Explicit work list instead of recursion: the tree may come from code
     other than the depth-limited parser. */
  json_value **todo = NULL;
  size_t n = 0, cap = 0;

  if (v == NULL)
    return;
  todo = xrealloc (NULL, (cap = 16) * sizeof (*todo));
  todo[n++] = v;
  while (n > 0)
    {
      json_value *c = todo[--n];
      size_t add = 0;

      if (c->type == JSON_ARRAY)
        add = c->u.arr.len;
      else if (c->type == JSON_OBJECT)
        add = c->u.obj.len;
      if (n + add > cap)
        {
          while (n + add > cap)
            cap *= 2;
          todo = xrealloc (todo, cap * sizeof (*todo));
        }
      switch (c->type)
        {
        case JSON_STRING:
        case JSON_NUMBER:
          free (c->u.str.ptr);
          break;
        case JSON_ARRAY:
          for (size_t i = 0; i < c->u.arr.len; i++)
            if (c->u.arr.items[i])
              todo[n++] = c->u.arr.items[i];
          free (c->u.arr.items);
          break;
        case JSON_OBJECT:
          for (size_t i = 0; i < c->u.obj.len; i++)
            {
              free (c->u.obj.keys[i]);
              if (c->u.obj.values[i])
                todo[n++] = c->u.obj.values[i];
            }
          free (c->u.obj.keys);
          free (c->u.obj.values);
          break;
        default:
          break;
        }
      free (c);
    }
  free (todo);
}
