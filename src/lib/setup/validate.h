/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fields of config.json that libocispec parses (runtime-spec 1.3.0 declares
 * them) but this runtime does not implement.  A field the runtime does not
 * implement is refused, never accepted silently (runtime-spec config.md:
 * a runtime that cannot apply a setting MUST generate an error); the list,
 * with the reason for each, is in validate.c and nowhere else.
 */
#ifndef HYDRA_VALIDATE_H
#define HYDRA_VALIDATE_H

#include "oci.h"

/* -1 with an error naming the first refused field present in cfg, and
   why.  Pure: called from hr_plan_build, before anything is created. */
int hr_config_refuse_unimplemented (const oci_config *cfg, hr_err *err);

/* The refused fields (JSON paths such as "linux.intelRdt") and their
   reasons, NULL-terminated, for tests and documentation. */
struct hr_refused_field
{
  const char *path;
  const char *reason;
  bool (*present) (const oci_config *cfg);
};
extern const struct hr_refused_field hr_refused_fields[];

#endif
