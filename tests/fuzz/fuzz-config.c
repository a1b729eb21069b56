/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: config.json parsing.  Whatever parses must serialize,
 * and the serialized form must parse back to the same bytes (the codec's
 * round-trip promise); any violation aborts so the fuzzer reports it.
 */
#include <config.h>
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  oci_config *c = NULL, *c2 = NULL;
  char *j1 = NULL, *j2 = NULL;
  size_t l1 = 0, l2 = 0;
  hr_err err = NULL;

  if (oci_config_parse_data ((const char *) data, size, "config.json", &c, &err) < 0)
    {
      /* A refusal must always come with a message. */
      if (err == NULL || err->msg == NULL)
        abort ();
      hr_error_free (&err);
      return 0;
    }
  if (oci_config_to_json (c, false, &j1, &l1, &err) < 0)
    abort ();
  if (oci_config_parse_data (j1, l1, "config.json", &c2, &err) < 0)
    abort ();
  if (oci_config_to_json (c2, true, &j2, &l2, &err) < 0)
    abort ();
  free (j2);
  j2 = NULL;
  oci_config_free (c2);
  c2 = NULL;
  if (oci_config_parse_data (j1, l1, "config.json", &c2, &err) < 0
      || oci_config_to_json (c2, false, &j2, &l2, &err) < 0 || l1 != l2
      || memcmp (j1, j2, l1) != 0)
    abort ();
  free (j1);
  free (j2);
  oci_config_free (c);
  oci_config_free (c2);
  return 0;
}
