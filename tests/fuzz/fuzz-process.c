/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the exec process.json; serialize whatever parses. */
#include <config.h>
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  oci_process *p = NULL;
  char *out = NULL;
  size_t len = 0;
  hr_err err = NULL;

  if (oci_process_parse_data ((const char *) data, size, "process.json", &p, &err) < 0)
    {
      if (err == NULL || err->msg == NULL)
        abort ();
      hr_error_free (&err);
      return 0;
    }
  if (oci_process_to_json (p, true, &out, &len, &err) < 0)
    abort ();
  free (out);
  oci_process_free (p);
  return 0;
}
