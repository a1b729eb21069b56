/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: sandbox policies (src/lib/sandbox/policy.c), which
 * engines hand to create in an annotation.  What parses must give
 * canonical JSON that parses back to the same canonical JSON, and must
 * lower into the `spec` template, twice with the same result (the
 * lowering's idempotence, which create relies on).
 */
#include <config.h>
#include "sandbox/policy.h"
#include "oci.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
config_json (const oci_config *c)
{
  char *s = NULL;
  hr_err err = NULL;
  if (oci_config_to_json (c, false, &s, NULL, &err) < 0)
    abort ();
  return s;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hr_policy *p = NULL, *q = NULL;
  oci_config *c;
  char *j1, *j2, *once, *twice;
  hr_err err = NULL;
  int r;

  r = hr_policy_parse ((const char *) data, size, &p, &err);
  fuzz_check (r, &err);
  if (r < 0)
    return 0;
  j1 = hr_policy_to_json (p);
  r = hr_policy_parse (j1, strlen (j1), &q, &err);
  if (r < 0)
    abort (); /* the canonical JSON of a policy must parse */
  j2 = hr_policy_to_json (q);
  if (strcmp (j1, j2) != 0)
    abort ();

  c = oci_config_default (false, false);
  if (hr_policy_apply (p, c, &err) < 0)
    abort (); /* the template contradicts no policy */
  once = config_json (c);
  /* The annotation holds the policy: lowering what it says is a no-op. */
  hr_policy_free (q);
  q = NULL;
  if (hr_policy_from_config (c, &q, &err) < 0 || q == NULL || hr_policy_apply (q, c, &err) < 0)
    abort ();
  twice = config_json (c);
  if (strcmp (once, twice) != 0)
    abort ();

  free (once);
  free (twice);
  oci_config_free (c);
  free (j1);
  free (j2);
  hr_policy_free (p);
  hr_policy_free (q);
  return 0;
}
