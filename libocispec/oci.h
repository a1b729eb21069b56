/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libocispec: parse, validate and serialize the OCI runtime-spec 1.3.0
 * documents (config.json, the exec process.json, the OCI state, features)
 * and hydra's own state.json.  Types: oci_types.h, generated from the
 * declarations in the oci-spec/ declarations.
 *
 * Every document type DOC (oci_config, oci_process, oci_state,
 * oci_features, hr_state_file, oci_linux_resources) has:
 *   int  DOC_parse_data (const char *data, size_t len, const char *name, DOC **out, hr_err *err);
 *   int  DOC_parse_file (const char *path, DOC **out, hr_err *err);
 *   int  DOC_to_json (const DOC *d, bool pretty, char **out, size_t *len, hr_err *err);
 *   int  DOC_validate (const DOC *d, hr_err *err);
 *   void DOC_free (DOC *d);     (and DOC_freep for _cleanup_)
 * Every other struct T has T_free and T_freep too.
 *
 * Parse errors read "<name>: <json path>: <problem>", e.g.
 *   config.json: .linux.namespaces[2].type: unknown namespace type "foo"
 */
#ifndef HYDRA_OCI_H
#define HYDRA_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include "oci_types.h"
#include "error.h"
#include "cleanup.h"

/* Largest document accepted (config.json with a big seccomp profile is a
   few hundred KiB; anything near this is hostile or broken). */
#define OCI_MAX_DOCUMENT_SIZE (32u * 1024 * 1024)

int oci_config_parse_data (const char *data, size_t len, const char *name, oci_config **out, hr_err *err);
int oci_config_parse_file (const char *path, oci_config **out, hr_err *err);
int oci_config_to_json (const oci_config *c, bool pretty, char **out, size_t *len, hr_err *err);
int oci_config_validate (const oci_config *c, hr_err *err);

int oci_process_parse_data (const char *data, size_t len, const char *name, oci_process **out, hr_err *err);
int oci_process_parse_file (const char *path, oci_process **out, hr_err *err);
int oci_process_to_json (const oci_process *p, bool pretty, char **out, size_t *len, hr_err *err);
int oci_process_validate (const oci_process *p, hr_err *err);

int oci_state_parse_data (const char *data, size_t len, const char *name, oci_state **out, hr_err *err);
int oci_state_parse_file (const char *path, oci_state **out, hr_err *err);
int oci_state_to_json (const oci_state *s, bool pretty, char **out, size_t *len, hr_err *err);
int oci_state_validate (const oci_state *s, hr_err *err);

/* Sent to a seccomp agent (seccomp_notify.c) and parsed by the test agent. */
int oci_container_process_state_parse_data (const char *data, size_t len, const char *name,
                                            oci_container_process_state **out, hr_err *err);
int oci_container_process_state_parse_file (const char *path, oci_container_process_state **out, hr_err *err);
int oci_container_process_state_to_json (const oci_container_process_state *s, bool pretty, char **out, size_t *len,
                                         hr_err *err);
int oci_container_process_state_validate (const oci_container_process_state *s, hr_err *err);

int oci_features_parse_data (const char *data, size_t len, const char *name, oci_features **out, hr_err *err);
int oci_features_parse_file (const char *path, oci_features **out, hr_err *err);
int oci_features_to_json (const oci_features *f, bool pretty, char **out, size_t *len, hr_err *err);
int oci_features_validate (const oci_features *f, hr_err *err);

int hr_state_file_parse_data (const char *data, size_t len, const char *name, hr_state_file **out, hr_err *err);
int hr_state_file_parse_file (const char *path, hr_state_file **out, hr_err *err);
int hr_state_file_to_json (const hr_state_file *s, bool pretty, char **out, size_t *len, hr_err *err);
int hr_state_file_validate (const hr_state_file *s, hr_err *err);

/* `update --resources FILE|-`: a bare linux.resources object. */
int oci_linux_resources_parse_data (const char *data, size_t len, const char *name, oci_linux_resources **out,
                                    hr_err *err);
int oci_linux_resources_parse_file (const char *path, oci_linux_resources **out, hr_err *err);
int oci_linux_resources_to_json (const oci_linux_resources *r, bool pretty, char **out, size_t *len, hr_err *err);
int oci_linux_resources_validate (const oci_linux_resources *r, hr_err *err);

/* T_free (T *) for every declared struct, and T_freep for _cleanup_. */
#define OCI_STRUCT(T) void T##_free (T *p); DEFINE_CLEANUP_FUNC (T, T##_free)
#define OCI_END(T)
#include "oci-spec/no-fields.h"
#include "oci-spec/all.def"
#include "oci-spec/undef.h"

/* What `runc spec` (rootless: `runc spec --rootless`) writes: ociVersion
   OCI_VERSION, `sh` on a terminal, the usual mounts, namespaces,
   capabilities, masked and read-only paths.  Rootless adds a user
   namespace mapping the current euid/egid to 0, drops the network
   namespace and cgroup resources and bind-mounts /sys.  A cgroup
   namespace only when `cgroupns` (the caller decides from the host). */
oci_config *oci_config_default (bool rootless, bool cgroupns);

/* The values of an enumeration of oci-spec/enums.def, NULL-terminated,
   e.g. oci_enum_values (OCI_ENUM_NAMESPACE_TYPE) for `features`. */
const char *const *oci_enum_values (enum oci_enum which);
/* Index of s in oci_enum_values (which) (compare with OCI_<SET>_<VALUE>,
   e.g. OCI_NAMESPACE_TYPE_USER), or -1. */
int oci_enum_index (enum oci_enum which, const char *s);

/* string -> string maps (annotations, sysctl, cgroupPaths...). */
const char *oci_string_map_get (const oci_string_map *m, const char *key);
/* Replace the value of key, or append key; copies both. */
void oci_string_map_set (oci_string_map *m, const char *key, const char *value);

/* NULL-terminated copy of a string vector (sets *len). */
char **oci_strv_dup (const char *const *v, size_t *len);

#endif
