/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a bare linux.resources document (`update --resources`);
   serialize whatever parses. */
#include <config.h>
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  oci_linux_resources *p = NULL;
  char *out = NULL;
  size_t len = 0;
  hr_err err = NULL;

  if (oci_linux_resources_parse_data ((const char *) data, size, "resources.json", &p, &err) < 0)
    {
      if (err == NULL || err->msg == NULL)
        abort ();
      hr_error_free (&err);
      return 0;
    }
  if (oci_linux_resources_to_json (p, true, &out, &len, &err) < 0)
    abort ();
  free (out);
  oci_linux_resources_free (p);
  return 0;
}
