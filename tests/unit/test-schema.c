/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libocispec held to the runtime-spec 1.3.0 JSON schemas: walk
 * config-schema.json, state-schema.json and features-schema.json (with the
 * defs, config-linux and features-linux files they reference) alongside
 * the descriptors generated from the oci-spec .def files, and fail on
 *   - a schema property the .def files do not declare,
 *   - a declared field the schema does not have,
 *   - a different JSON type (string, boolean, integer, array, object),
 *   - a field the schema requires declared optional,
 *   - enum values that differ from the schema's (or a schema enum the
 *     .def declares as a plain string),
 *   - an integer range other than the schema's minimum/maximum.
 * The few deliberate departures are listed below, each with its reason.
 * Skips (with the reason) when ../shared/oci-spec/schema is absent.
 */
#include <config.h>
#include "oci.h"
#include "codec.h"
#include "json.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif

/* Schema properties the .def files deliberately do not declare: members
   for other platforms, which a Linux runtime ignores as unknown properties
   (config.md "Extensibility"). */
static const struct
{
  const char *desc, *json, *why;
} not_declared[] = {
  { "oci_config", "solaris", "Solaris only" },
  { "oci_config", "windows", "Windows only" },
  { "oci_config", "vm", "VM-based runtimes only" },
  { "oci_config", "zos", "z/OS only" },
  { "oci_config", "freebsd", "FreeBSD only" },
  { "oci_process", "commandLine", "Windows only (config.md: process.commandLine)" },
  { "oci_user", "username", "Windows only (config.md: user.username)" },
  { NULL, NULL, NULL },
};

/* Enumerations declared other than the schema's. */
static const struct
{
  const char *desc, *json, *why;
} enum_superset[] = {
  { "oci_linux", "rootfsPropagation",
    "the recursive forms too: engines send rslave/rshared and runc's specconv maps all eight" },
  { "oci_linux_device_cgroup", "type",
    "the schema says string, config-linux.md lists the values: a (all), c (char), b (block)" },
  { NULL, NULL, NULL },
};

struct schema_file
{
  char *name;
  json_value *doc;
};
static struct schema_file files[64];
static size_t n_files;

static const json_value *
file_doc (const char *name)
{
  for (size_t i = 0; i < n_files; i++)
    if (strcmp (files[i].name, name) == 0)
      return files[i].doc;
  return NULL;
}

static const char *
str_of (const json_value *v)
{
  return v && v->type == JSON_STRING ? v->u.str.ptr : NULL;
}

/* A schema node with the file its relative $refs are resolved against. */
struct node
{
  const json_value *v;
  const char *file;
};

/* Follow $ref (file#/json/pointer) until a node without one. */
static struct node
resolve (struct node n)
{
  for (int hops = 0; n.v && hops < 32; hops++)
    {
      const char *ref = str_of (json_object_get (n.v, "$ref"));
      if (ref == NULL)
        return n;
      const char *hash = strchr (ref, '#');
      _cleanup_free_ char *fname = hash ? strndup (ref, (size_t) (hash - ref)) : strdup (ref);
      static char *names[256];
      static size_t n_names;
      const char *file = n.file;
      if (fname[0])
        {
          /* Keep the name alive: nodes refer to it. */
          size_t k;
          for (k = 0; k < n_names && strcmp (names[k], fname) != 0; k++)
            ;
          if (k == n_names && n_names < 256)
            names[n_names++] = xstrdup (fname);
          file = names[k];
        }
      const json_value *v = file_doc (file);
      if (hash)
        {
          _cleanup_free_ char *ptr = xstrdup (hash + 1);
          for (char *save = NULL, *seg = strtok_r (ptr, "/", &save); seg && v; seg = strtok_r (NULL, "/", &save))
            v = json_object_get (v, seg);
        }
      if (v == NULL)
        printf ("# unresolved $ref %s (from %s)\n", ref, n.file);
      n = (struct node) { v, file };
    }
  return n;
}

/* The JSON type a node allows: its "type", or the one all of its
   allOf/anyOf/oneOf alternatives agree on; "" when none says. */
static const char *
type_of (struct node n)
{
  n = resolve (n);
  if (n.v == NULL)
    return "";
  const json_value *t = json_object_get (n.v, "type");
  if (t && t->type == JSON_STRING)
    return t->u.str.ptr;
  if (t && t->type == JSON_ARRAY)
    {
      /* ["string", "null"]: the non-null one. */
      for (size_t i = 0; i < t->u.arr.len; i++)
        if (str_of (t->u.arr.items[i]) && strcmp (str_of (t->u.arr.items[i]), "null") != 0)
          return str_of (t->u.arr.items[i]);
    }
  static const char *const combos[] = { "allOf", "anyOf", "oneOf" };
  for (size_t c = 0; c < 3; c++)
    {
      const json_value *alts = json_object_get (n.v, combos[c]);
      const char *agreed = NULL;
      if (alts == NULL || alts->type != JSON_ARRAY)
        continue;
      for (size_t i = 0; i < alts->u.arr.len; i++)
        {
          const char *ti = type_of ((struct node) { alts->u.arr.items[i], n.file });
          if (agreed == NULL)
            agreed = ti;
          else if (strcmp (agreed, ti) != 0)
            agreed = "";
        }
      if (agreed && *agreed)
        return agreed;
    }
  if (json_object_get (n.v, "enum"))
    return "string";
  return "";
}

/* The properties and required names of an object schema, merged over
   allOf/anyOf/oneOf. */
#define MAX_PROPS 128
struct props
{
  const char *name[MAX_PROPS];
  struct node sub[MAX_PROPS];
  size_t n;
  const char *required[MAX_PROPS];
  size_t n_required;
};

static void
collect (struct node n, struct props *p)
{
  n = resolve (n);
  if (n.v == NULL || n.v->type != JSON_OBJECT)
    return;
  const json_value *pr = json_object_get (n.v, "properties");
  if (pr && pr->type == JSON_OBJECT)
    for (size_t i = 0; i < pr->u.obj.len && p->n < MAX_PROPS; i++)
      {
        size_t k;
        for (k = 0; k < p->n && strcmp (p->name[k], pr->u.obj.keys[i]) != 0; k++)
          ;
        if (k < p->n)
          continue;
        p->name[p->n] = pr->u.obj.keys[i];
        p->sub[p->n++] = (struct node) { pr->u.obj.values[i], n.file };
      }
  const json_value *rq = json_object_get (n.v, "required");
  if (rq && rq->type == JSON_ARRAY)
    for (size_t i = 0; i < rq->u.arr.len && p->n_required < MAX_PROPS; i++)
      if (str_of (rq->u.arr.items[i]))
        p->required[p->n_required++] = str_of (rq->u.arr.items[i]);
  static const char *const combos[] = { "allOf", "anyOf", "oneOf" };
  for (size_t c = 0; c < 3; c++)
    {
      const json_value *alts = json_object_get (n.v, combos[c]);
      if (alts && alts->type == JSON_ARRAY)
        for (size_t i = 0; i < alts->u.arr.len; i++)
          collect ((struct node) { alts->u.arr.items[i], n.file }, p);
    }
}

static bool
listed (const char *desc, const char *json, const char **why, bool superset)
{
  if (superset)
    {
      for (size_t i = 0; enum_superset[i].desc; i++)
        if (strcmp (enum_superset[i].desc, desc) == 0 && strcmp (enum_superset[i].json, json) == 0)
          return *why = enum_superset[i].why, true;
      return false;
    }
  for (size_t i = 0; not_declared[i].desc; i++)
    if (strcmp (not_declared[i].desc, desc) == 0 && strcmp (not_declared[i].json, json) == 0)
      return *why = not_declared[i].why, true;
  return false;
}

static const char *
want_type (oci_kind k)
{
  switch (k)
    {
    case OCI_K_STR:
    case OCI_K_ENUM:
      return "string";
    case OCI_K_BOOL:
      return "boolean";
    case OCI_K_INT:
      return "integer";
    case OCI_K_STRV:
    case OCI_K_INTV:
    case OCI_K_ENUMV:
    case OCI_K_OBJV:
      return "array";
    default:
      return "object";
    }
}

/* The enum check of one value node (the field, or the items of an array
   field).  Appends problems to msg. */
static void
check_enum (const char *dname, const oci_field_desc *f, struct node n, char *msg, size_t len)
{
  n = resolve (n);
  const json_value *en = n.v ? json_object_get (n.v, "enum") : NULL;
  const char *pattern = n.v ? str_of (json_object_get (n.v, "pattern")) : NULL;
  size_t used = strlen (msg);
  const char *why;

  if (en && !(f->kind == OCI_K_ENUM || f->kind == OCI_K_ENUMV))
    {
      snprintf (msg + used, len - used, " schema has an enum, declared as a plain string;");
      return;
    }
  if (!(f->kind == OCI_K_ENUM || f->kind == OCI_K_ENUMV))
    return;
  const char *const *vals = oci_enum_values (f->enum_id);
  if (en == NULL && listed (dname, f->json, &why, true))
    {
      printf ("# %s.%s: an enum the schema does not spell out: %s\n", dname, f->json, why);
      return;
    }
  if (en == NULL)
    {
      /* A pattern such as FileType's ^[cbup]$: every value must match. */
      if (pattern)
        {
          for (size_t i = 0; vals[i]; i++)
            if (!oci_pattern_match (pattern, vals[i]))
              snprintf (msg + used, len - used, " enum value \"%s\" does not match the schema's %s;", vals[i],
                        pattern);
          return;
        }
      /* No constraint in the schema: a stricter declaration would refuse
         documents the schema accepts. */
      snprintf (msg + used, len - used, " declared as enum %s, the schema has no enum;",
                oci_enum_description (f->enum_id));
      return;
    }
  /* Same set of values, both ways. */
  for (size_t i = 0; i < en->u.arr.len; i++)
    if (oci_enum_index (f->enum_id, str_of (en->u.arr.items[i])) < 0)
      {
        used = strlen (msg);
        snprintf (msg + used, len - used, " schema value \"%s\" not declared;", str_of (en->u.arr.items[i]));
      }
  if (listed (dname, f->json, &why, true))
    {
      printf ("# %s.%s: enum wider than the schema's: %s\n", dname, f->json, why);
      return;
    }
  for (size_t i = 0; vals[i]; i++)
    {
      bool found = false;
      for (size_t k = 0; k < en->u.arr.len && !found; k++)
        found = str_of (en->u.arr.items[k]) && strcmp (str_of (en->u.arr.items[k]), vals[i]) == 0;
      if (!found)
        {
          used = strlen (msg);
          snprintf (msg + used, len - used, " declared value \"%s\" not in the schema;", vals[i]);
        }
    }
}

/* The schema's minimum/maximum against the declared range. */
static void
check_range (const oci_field_desc *f, struct node n, char *msg, size_t len)
{
  n = resolve (n);
  if (n.v == NULL)
    return;
  const json_value *mn = json_object_get (n.v, "minimum");
  const json_value *mx = json_object_get (n.v, "maximum");
  size_t used = strlen (msg);
  if (mn && mn->type == JSON_NUMBER && strtoll (mn->u.str.ptr, NULL, 10) != f->min)
    snprintf (msg + used, len - used, " schema minimum %s, declared %lld;", mn->u.str.ptr, (long long) f->min);
  used = strlen (msg);
  if (mx && mx->type == JSON_NUMBER && strtoull (mx->u.str.ptr, NULL, 10) != f->max)
    snprintf (msg + used, len - used, " schema maximum %s, declared %llu;", mx->u.str.ptr,
              (unsigned long long) f->max);
}

/* (descriptor, schema node) pairs already checked. */
static struct
{
  const oci_struct_desc *d;
  const json_value *v;
} visited[512];
static size_t n_visited;

static void check_object (const oci_struct_desc *d, struct node n, const char *path);

static void
check_field (const oci_struct_desc *d, const oci_field_desc *f, struct node sub, const struct props *p,
             const char *path)
{
  char msg[2048] = "";
  const char *t = type_of (sub);
  const char *want = want_type (f->kind);
  bool required = false;

  for (size_t i = 0; i < p->n_required; i++)
    required |= strcmp (p->required[i], f->json) == 0;
  if (*t && strcmp (t, want) != 0)
    snprintf (msg, sizeof (msg), " schema type %s, declared %s;", t, want);
  if (required && f->req == OCI_OPT)
    snprintf (msg + strlen (msg), sizeof (msg) - strlen (msg), " required by the schema, declared OPT;");

  struct node items = { NULL, NULL };
  struct node r = resolve (sub);
  if (f->kind == OCI_K_STRV || f->kind == OCI_K_INTV || f->kind == OCI_K_ENUMV || f->kind == OCI_K_OBJV)
    {
      if (r.v)
        items = resolve ((struct node) { json_object_get (r.v, "items"), r.file });
      const char *it = items.v ? type_of (items) : "";
      const char *want_it = f->kind == OCI_K_INTV ? "integer" : f->kind == OCI_K_OBJV ? "object" : "string";
      if (*it && strcmp (it, want_it) != 0)
        snprintf (msg + strlen (msg), sizeof (msg) - strlen (msg), " items of type %s, declared %s;", it, want_it);
    }
  if (f->kind == OCI_K_INT || f->kind == OCI_K_INTV)
    check_range (f, f->kind == OCI_K_INT ? r : items, msg, sizeof (msg));
  if (f->kind == OCI_K_STR || f->kind == OCI_K_ENUM)
    check_enum (d->name, f, sub, msg, sizeof (msg));
  else if ((f->kind == OCI_K_STRV || f->kind == OCI_K_ENUMV) && items.v)
    check_enum (d->name, f, items, msg, sizeof (msg));

  ok (msg[0] == '\0', "%s.%s: declared as the schema says", path, f->json);
  if (msg[0])
    printf ("#  %s.%s (%s.%s):%s\n", path, f->json, d->name, f->cname, msg);

  _cleanup_free_ char *sub_path = xasprintf ("%s.%s", path, f->json);
  if (f->kind == OCI_K_OBJ)
    check_object (f->sub, sub, sub_path);
  else if (f->kind == OCI_K_OBJV && items.v)
    check_object (f->sub, items, sub_path);
  else if (f->kind == OCI_K_OMAP && r.v)
    {
      const json_value *ap = json_object_get (r.v, "additionalProperties");
      const json_value *pp = json_object_get (r.v, "patternProperties");
      if (ap == NULL && pp && pp->type == JSON_OBJECT && pp->u.obj.len == 1)
        ap = pp->u.obj.values[0];
      if (ap)
        check_object (f->sub, (struct node) { ap, r.file }, sub_path);
    }
}

static void
check_object (const oci_struct_desc *d, struct node n, const char *path)
{
  struct props p = { .n = 0 };
  n = resolve (n);
  for (size_t i = 0; i < n_visited; i++)
    if (visited[i].d == d && visited[i].v == n.v)
      return;
  if (n_visited < sizeof (visited) / sizeof (visited[0]))
    visited[n_visited++] = (typeof (visited[0])) { d, n.v };
  collect (n, &p);

  /* Every schema property declared, and as the schema says. */
  for (size_t i = 0; i < p.n; i++)
    {
      const oci_field_desc *f = NULL;
      const char *why;
      for (size_t k = 0; k < d->n_fields && f == NULL; k++)
        if (strcmp (d->fields[k].json, p.name[i]) == 0)
          f = &d->fields[k];
      if (f == NULL)
        {
          if (listed (d->name, p.name[i], &why, false))
            printf ("ok %d - %s.%s: not declared on purpose (%s)\n", ++tap_n, path, p.name[i], why);
          else
            ok (0, "%s.%s: in the schema but not declared in %s", path, p.name[i], d->name);
          continue;
        }
      check_field (d, f, p.sub[i], &p, path);
    }
  /* Every declared field in the schema. */
  for (size_t k = 0; k < d->n_fields; k++)
    {
      bool found = false;
      for (size_t i = 0; i < p.n && !found; i++)
        found = strcmp (d->fields[k].json, p.name[i]) == 0;
      ok (found || p.n == 0, "%s.%s: declared in %s and in the schema", path, d->fields[k].json, d->name);
    }
}

static int
load_dir (const char *dir)
{
  _cleanup_closedir_ DIR *dh = opendir (dir);
  struct dirent *de;
  if (dh == NULL)
    return -1;
  while ((de = readdir (dh)) && n_files < sizeof (files) / sizeof (files[0]))
    {
      size_t l = strlen (de->d_name);
      if (l < 6 || strcmp (de->d_name + l - 5, ".json") != 0)
        continue;
      _cleanup_free_ char *p = xasprintf ("%s/%s", dir, de->d_name);
      _cleanup_free_ char *data = NULL;
      size_t len = 0;
      hr_err err = NULL;
      json_value *doc = NULL;
      if (hr_read_file_at (AT_FDCWD, p, 1 << 20, &data, &len, &err) < 0 || json_parse (data, len, &doc, &err) < 0)
        {
          ok (0, "%s: %s", p, err ? err->msg : "unreadable");
          hr_error_free (&err);
          continue;
        }
      files[n_files++] = (struct schema_file) { xstrdup (de->d_name), doc };
    }
  return 0;
}

int
main (void)
{
  const char *shared = getenv ("HYDRA_SHARED");
  _cleanup_free_ char *dir = shared ? xasprintf ("%s/oci-spec/schema", shared)
                                    : xstrdup (TEST_DATA_DIR "/../../../../shared/oci-spec/schema");
  static const struct
  {
    const char *file;
    const oci_struct_desc *desc;
    const char *path;
  } roots[] = {
    { "config-schema.json", &oci_desc_oci_config, "config" },
    { "state-schema.json", &oci_desc_oci_state, "state" },
    { "features-schema.json", &oci_desc_oci_features, "features" },
  };

  if (load_dir (dir) < 0)
    {
      printf ("ok 1 # skip %s: %s (the runtime-spec schemas live in ../shared)\n", dir, strerror (errno));
      printf ("1..1\n");
      return 0;
    }
  for (size_t i = 0; i < sizeof (roots) / sizeof (roots[0]); i++)
    {
      const json_value *doc = file_doc (roots[i].file);
      ok (doc != NULL, "%s/%s is there", dir, roots[i].file);
      if (doc)
        check_object (roots[i].desc, (struct node) { doc, roots[i].file }, roots[i].path);
    }
  for (size_t i = 0; i < n_files; i++)
    {
      json_free (files[i].doc);
      free (files[i].name);
    }
  return tap_done ();
}
