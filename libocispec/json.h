/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The project's own small JSON tree.  The codec (codec.c) only sees this
 * type; the only file that knows the JSON library is json_yajl.c, so the
 * backend can be replaced without touching the OCI code.
 *
 * Numbers are kept as their raw text so the codec can convert them to
 * int64/uint64 exactly (a double would lose precision above 2^53).
 * Strings carry their length; the parser refuses embedded NUL bytes, so
 * they are also valid C strings.  Objects never hold duplicate keys: the
 * parser keeps the last occurrence, as Go's encoding/json does.
 */
#ifndef HYDRA_JSON_H
#define HYDRA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"
#include "cleanup.h"

/* Deepest container nesting the parser accepts.  OCI documents nest at
   most ~8 levels; the bound keeps hostile input from exhausting memory or
   the stack of any recursive consumer. */
#define JSON_MAX_DEPTH 64

typedef enum json_type
{
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_type;

typedef struct json_value json_value;
struct json_value
{
  json_type type;
  union
  {
    bool boolean;
    /* JSON_STRING: the decoded string; JSON_NUMBER: the raw text.  Both
       NUL-terminated, len excludes the NUL. */
    struct
    {
      char *ptr;
      size_t len;
    } str;
    struct
    {
      json_value **items;
      size_t len, cap;
    } arr;
    struct
    {
      char **keys;
      json_value **values;
      size_t len, cap;
    } obj;
  } u;
};

/* Builders.  They cannot fail (allocation failure aborts, see util.h). */
json_value *json_new_null (void);
json_value *json_new_bool (bool b);
json_value *json_new_string (const char *s);
json_value *json_new_string_len (const char *s, size_t len);
json_value *json_new_number_raw (const char *text, size_t len);
json_value *json_new_array (void);
json_value *json_new_object (void);
/* Take ownership of v. */
void json_array_append (json_value *a, json_value *v);
/* Copies key (len bytes), takes ownership of v.  Does not check for
   duplicates: callers building documents use distinct keys. */
void json_object_append (json_value *o, const char *key, size_t key_len, json_value *v);
/* Remove duplicate keys, keeping the last value for each key at the
   position of its last occurrence. */
void json_object_dedup (json_value *o);

const json_value *json_object_get (const json_value *o, const char *key);
const char *json_type_name (json_type t);

/* Iterative: frees arbitrarily deep trees without recursion. */
void json_free (json_value *v);
DEFINE_CLEANUP_FUNC (json_value, json_free)

/* Backend (json_yajl.c). */

/* Parse exactly one JSON text.  Refuses: invalid syntax, invalid UTF-8,
   strings or keys containing U+0000, nesting deeper than JSON_MAX_DEPTH,
   trailing garbage.  Size limits are the caller's business. */
int json_parse (const char *data, size_t len, json_value **out, hr_err *err);

/* Serialize; pretty uses one tab per level (as `runc spec`), otherwise
   compact.  *out is NUL-terminated and malloc()ed; *len excludes the NUL. */
int json_emit (const json_value *v, bool pretty, char **out, size_t *len, hr_err *err);

#endif
