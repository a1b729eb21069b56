/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the OCI state and hydra's own state.json (the latter is
   read back from disk by every command, so it gets the same scrutiny). */
#include <config.h>
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  oci_state *s = NULL;
  hr_state_file *h = NULL;
  char *out = NULL;
  size_t len = 0;
  hr_err err = NULL;

  if (oci_state_parse_data ((const char *) data, size, "state.json", &s, &err) == 0)
    {
      if (oci_state_to_json (s, false, &out, &len, &err) < 0)
        abort ();
      free (out);
      out = NULL;
      oci_state_free (s);
    }
  hr_error_free (&err);
  if (hr_state_file_parse_data ((const char *) data, size, "state.json", &h, &err) == 0)
    {
      if (hr_state_file_to_json (h, false, &out, &len, &err) < 0)
        abort ();
      free (out);
      hr_state_file_free (h);
    }
  hr_error_free (&err);
  return 0;
}
