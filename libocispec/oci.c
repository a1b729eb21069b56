/* SPDX-License-Identifier: Apache-2.0 */
/* Public entry points of libocispec: one generic implementation per
   operation, instantiated per document type by a macro. */
#include <config.h>
#include "oci.h"
#include "codec.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int
doc_parse (const oci_struct_desc *d, const char *data, size_t len, const char *name,
           void **out, hr_err *err)
{
  _cleanup_ (json_freep) json_value *tree = NULL;

  if (len > OCI_MAX_DOCUMENT_SIZE)
    return hr_error_plain (err, EFBIG, "%s: document larger than %u bytes", name,
                         OCI_MAX_DOCUMENT_SIZE);
  if (json_parse (data, len, &tree, err) < 0)
    return hr_error_wrap (err, "%s", name);
  if (oci_decode (d, tree, out, err) < 0)
    return hr_error_wrap (err, "%s", name);
  return 0;
}

static int
doc_parse_file (const oci_struct_desc *d, const char *path, void **out, hr_err *err)
{
  _cleanup_close_ int fd = -1;
  _cleanup_free_ char *buf = NULL;
  const char *base = strrchr (path, '/');
  size_t len = 0;

  base = base && base[1] ? base + 1 : path;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open `%s`", path);
  if (hr_read_all (fd, OCI_MAX_DOCUMENT_SIZE, &buf, &len, err) < 0)
    return hr_error_wrap (err, "read `%s`", path);
  return doc_parse (d, buf, len, base, out, err);
}

static int
doc_to_json (const oci_struct_desc *d, const void *obj, bool pretty, const char *name,
             char **out, size_t *len, hr_err *err)
{
  _cleanup_ (json_freep) json_value *tree = NULL;

  if (obj == NULL)
    return hr_error_set (err, 0, "%s: no document", name);
  if (oci_encode (d, obj, &tree, err) < 0)
    return hr_error_wrap (err, "%s", name);
  if (json_emit (tree, pretty, out, len, err) < 0)
    return hr_error_wrap (err, "%s", name);
  return 0;
}

static int
doc_validate (const oci_struct_desc *d, const void *obj, const char *name, hr_err *err)
{
  _cleanup_ (json_freep) json_value *tree = NULL;

  if (obj == NULL)
    return hr_error_set (err, 0, "%s: no document", name);
  if (oci_encode (d, obj, &tree, err) < 0)
    return hr_error_wrap (err, "%s", name);
  return 0;
}

#define OCI_DOCUMENT(T, NAME)                                           \
  int T##_parse_data (const char *data, size_t len, const char *name, T **out, hr_err *err) \
  {                                                                     \
    return doc_parse (&oci_desc_##T, data, len, name ? name : NAME, (void **) out, err); \
  }                                                                     \
  int T##_parse_file (const char *path, T **out, hr_err *err)           \
  {                                                                     \
    return doc_parse_file (&oci_desc_##T, path, (void **) out, err);    \
  }                                                                     \
  int T##_to_json (const T *d, bool pretty, char **out, size_t *len, hr_err *err) \
  {                                                                     \
    return doc_to_json (&oci_desc_##T, d, pretty, NAME, out, len, err); \
  }                                                                     \
  int T##_validate (const T *d, hr_err *err)                            \
  {                                                                     \
    return doc_validate (&oci_desc_##T, d, NAME, err);                  \
  }

OCI_DOCUMENT (oci_config, "config.json")
OCI_DOCUMENT (oci_process, "process.json")
OCI_DOCUMENT (oci_state, "state.json")
OCI_DOCUMENT (oci_container_process_state, "containerProcessState")
OCI_DOCUMENT (oci_features, "features.json")
OCI_DOCUMENT (hr_state_file, "state.json")
/* `update --resources`: a bare linux.resources object. */
OCI_DOCUMENT (oci_linux_resources, "resources.json")

#define OCI_STRUCT(T) \
  void T##_free (T *p) { oci_struct_free (&oci_desc_##T, p); }
#define OCI_END(T)
#include "oci-spec/no-fields.h"
#include "oci-spec/all.def"
#include "oci-spec/undef.h"

const char *
oci_string_map_get (const oci_string_map *m, const char *key)
{
  if (m == NULL || m->keys == NULL)
    return NULL;
  for (size_t i = 0; i < m->len; i++)
    if (m->keys[i] && strcmp (m->keys[i], key) == 0)
      return m->values[i];
  return NULL;
}

void
oci_string_map_set (oci_string_map *m, const char *key, const char *value)
{
  for (size_t i = 0; m->keys && i < m->len; i++)
    if (m->keys[i] && strcmp (m->keys[i], key) == 0)
      {
        free (m->values[i]);
        m->values[i] = xstrdup (value);
        return;
      }
  /* Keep both arrays NULL-terminated. */
  m->keys = xrealloc (m->keys, (m->len + 2) * sizeof (char *));
  m->values = xrealloc (m->values, (m->len + 2) * sizeof (char *));
  m->keys[m->len] = xstrdup (key);
  m->values[m->len] = xstrdup (value);
  m->len++;
  m->keys[m->len] = NULL;
  m->values[m->len] = NULL;
}

char **
oci_strv_dup (const char *const *v, size_t *len)
{
  size_t n = 0;
  char **r;

  while (v && v[n])
    n++;
  r = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  if (len)
    *len = n;
  return r;
}
