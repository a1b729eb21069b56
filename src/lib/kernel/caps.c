/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/caps.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static int
last_cap (void)
{
  int last = (int) cap_max_bits () - 1;
  return last > 63 ? 63 : last;
}

/* CAP_ and then letters, digits and underscores: the shape of every
   capability name the kernel has and will have. */
static bool
well_formed (const char *name)
{
  if (name == NULL || strncasecmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return false;
  for (const char *c = name + 4; *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
      return false;
  return true;
}

int
hr_caps_parse (char *const *names, size_t n, const char *set, uint64_t *mask, hr_err *err)
{
  *mask = 0;
  for (size_t i = 0; i < n; i++)
    {
      cap_value_t v;
      if (!well_formed (names[i]))
        return hr_error_plain (err, EINVAL, "process.capabilities.%s: unknown capability `%s`", set,
                               names[i] ? names[i] : "");
      /* runc's capabilities.New: a capability this kernel or libcap does
         not know (a config written for a newer kernel) is ignored with a
         warning, not an error. */
      if (cap_from_name (names[i], &v) < 0 || v < 0 || v > last_cap ())
        {
          hr_warn ("ignoring unknown or unavailable capability: unknown capability \"%s\" in process.capabilities.%s",
                   names[i], set);
          continue;
        }
      *mask |= 1ULL << v;
    }
  return 0;
}

char **
hr_caps_known (void)
{
  int last = last_cap ();
  char **v = xmalloc0 ((size_t) (last + 2) * sizeof (char *));
  size_t n = 0;

  for (int c = 0; c <= last; c++)
    {
      char *name = cap_to_name (c);
      if (name == NULL)
        continue;
      /* libcap prints known names as "cap_kill"; the spec uses CAP_KILL. */
      if (strncmp (name, "cap_", 4) == 0)
        {
          char *up = xstrdup (name);
          for (char *p = up; *p; p++)
            if (*p >= 'a' && *p <= 'z')
              *p = (char) (*p - 'a' + 'A');
          v[n++] = up;
        }
      cap_free (name);
    }
  return v;
}

int
hr_caps_apply_bounding (const struct hr_caps *caps, hr_err *err)
{
  int last = (int) cap_max_bits () - 1;
  for (int c = 0; c <= last; c++)
    {
      if (c <= 63 && (caps->bounding & (1ULL << c)))
        continue;
      if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        return hr_error_set (err, errno, "drop capability %d from the bounding set", c);
    }
  return 0;
}

static int
fill (cap_t c, cap_flag_t flag, uint64_t mask)
{
  cap_value_t list[64];
  int n = 0;
  for (int i = 0; i < 64; i++)
    if (mask & (1ULL << i))
      list[n++] = i;
  return n ? cap_set_flag (c, flag, n, list, CAP_SET) : 0;
}

int
hr_caps_apply (const struct hr_caps *caps, hr_err *err)
{
  cap_t c = cap_init ();
  int ret;

  if (c == NULL)
    return hr_error_set (err, errno, "cap_init");
  if (fill (c, CAP_EFFECTIVE, caps->effective) < 0 || fill (c, CAP_PERMITTED, caps->permitted) < 0
      || fill (c, CAP_INHERITABLE, caps->inheritable) < 0)
    {
      cap_free (c);
      return hr_error_set (err, errno, "build capability sets");
    }
  ret = cap_set_proc (c);
  cap_free (c);
  if (ret < 0)
    return hr_error_set (err, errno, "set capabilities");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return hr_error_set (err, errno, "clear ambient capabilities");
  /* The kernel raises an ambient capability only when it is permitted and
     inheritable (capabilities(7)); configs in the wild (runc's own `spec`)
     list ambient capabilities without the inheritable ones, and runc
     skips those, so do we. */
  uint64_t ambient = caps->ambient & caps->permitted & caps->inheritable;
  for (int i = 0; i < 64; i++)
    if ((ambient & (1ULL << i)) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
      return hr_error_set (err, errno, "raise ambient capability %d", i);
  return 0;
}
