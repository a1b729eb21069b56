/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal: the descriptor tables generated from the oci-spec/ declarations (tables.c)
 * and the generic engine that walks them (codec.c).
 */
#ifndef HYDRA_OCI_CODEC_H
#define HYDRA_OCI_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "oci_types.h"
#include "json.h"
#include "error.h"

typedef enum oci_kind
{
  OCI_K_STR,    /* char * (plain or pattern) */
  OCI_K_ENUM,   /* int (an index of oci_enum_values (enum_id)) + _present */
  OCI_K_ENUMV,  /* int * + _len */
  OCI_K_BOOL,   /* bool + _present */
  OCI_K_INT,    /* integer + _present */
  OCI_K_STRV,   /* char ** + _len */
  OCI_K_INTV,   /* integer array + _len */
  OCI_K_OBJ,    /* Sub * */
  OCI_K_OBJV,   /* Sub ** + _len */
  OCI_K_SMAP,   /* oci_string_map */
  OCI_K_OMAP,   /* keys / Sub ** values / len */
} oci_kind;

typedef enum oci_itype
{
  OCI_I_I32,
  OCI_I_U32,
  OCI_I_I64,
  OCI_I_U64,
  OCI_I_U16,
  OCI_I_U8,
} oci_itype;

typedef enum oci_req
{
  OCI_OPT,
  OCI_REQ,
  OCI_NONEMPTY, /* required, and an array with at least one item */
} oci_req;

typedef struct oci_struct_desc oci_struct_desc;

typedef struct oci_field_desc
{
  const char *json;
  const char *cname;
  oci_kind kind;
  oci_itype itype;          /* OCI_K_INT, OCI_K_INTV */
  size_t off;               /* the field itself */
  size_t aux_off;           /* _present (scalars) or _len (arrays) */
  enum oci_enum enum_id;    /* OCI_K_ENUM, OCI_K_ENUMV */
  const char *pattern;      /* POSIX ERE the string(s) must match, or NULL */
  const oci_struct_desc *sub; /* OBJ, OBJV, OMAP */
  int64_t min;              /* integers: allowed range */
  uint64_t max;
  oci_req req;
  const char *since;        /* first spec version with the field */
} oci_field_desc;

struct oci_struct_desc
{
  const char *name;
  size_t size;
  const oci_field_desc *fields;
  size_t n_fields;
};

/* One descriptor per OCI_STRUCT: oci_desc_oci_config, ... */
#define OCI_STRUCT(T) extern const oci_struct_desc oci_desc_##T;
#define OCI_END(T)
#include "oci-spec/no-fields.h"
#include "oci-spec/all.def"
#include "oci-spec/undef.h"

/* Enum description ("namespace type") for messages. */
const char *oci_enum_description (enum oci_enum which);
/* Does s match the POSIX extended regex (compiled once, cached)? */
bool oci_pattern_match (const char *pattern, const char *s);
/* Check that every integer field's range fits its C type (tests). */
int oci_tables_check (hr_err *err);

/* Tree -> newly allocated struct.  Errors read "<path>: <problem>". */
int oci_decode (const oci_struct_desc *d, const json_value *v, void **out, hr_err *err);
/* Struct -> tree, validating what decoding would check. */
int oci_encode (const oci_struct_desc *d, const void *obj, json_value **out, hr_err *err);
void oci_struct_free (const oci_struct_desc *d, void *obj);

#endif
