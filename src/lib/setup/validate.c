/* SPDX-License-Identifier: Apache-2.0 */
/* The one list of declared-but-unimplemented config fields (validate.h). */
#include <config.h>
#include "setup/validate.h"

#include <errno.h>

static bool
has_intel_rdt (const oci_config *cfg)
{
  return cfg->linux_ && cfg->linux_->intel_rdt;
}

static bool
has_personality_flags (const oci_config *cfg)
{
  return cfg->linux_ && cfg->linux_->personality && cfg->linux_->personality->flags_len > 0;
}

/* Adding a field here is how a declared field stops being implemented;
   tests/integration/bad-input.bats has one test per entry. */
const struct hr_refused_field hr_refused_fields[] = {
  /* config-linux.md "IntelRdt": resctrl groups.  `features` says
     intelRdt.enabled false; README lists it as not there. */
  { "linux.intelRdt", "not implemented (no resctrl support in this runtime)", has_intel_rdt },
  /* config-linux.md "Personality": "Currently no additional flags are
     supported", so any flag is one nothing would apply. */
  { "linux.personality.flags", "not implemented (runtime-spec 1.3.0 defines no personality flag)",
    has_personality_flags },
  { NULL, NULL, NULL },
};

int
hr_config_refuse_unimplemented (const oci_config *cfg, hr_err *err)
{
  for (const struct hr_refused_field *f = hr_refused_fields; f->path; f++)
    if (f->present (cfg))
      return hr_error_plain (err, EOPNOTSUPP, "config.json: %s: %s", f->path, f->reason);
  return 0;
}
