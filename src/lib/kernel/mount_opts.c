/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/mount_opts.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

enum opt_kind { NOOP, ATTR_SET, ATTR_CLEAR, ATIME, PROPAGATION, BIND, SB_FLAG, IDMAP, TMPCOPYUP };

struct opt_entry
{
  const char *name;
  enum opt_kind kind;
  uint64_t value;
  bool recursive;
};

static const struct opt_entry table[] = {
#define MOUNT_OPTION(name, kind, value, rec) { name, kind, value, rec },
#include "oci-spec/mount-options.def"
#undef MOUNT_OPTION
};

static const char *const names[] = {
#define MOUNT_OPTION(name, kind, value, rec) name,
#include "oci-spec/mount-options.def"
#undef MOUNT_OPTION
  NULL
};

const char *const *
hr_mount_opts_known (void)
{
  return names;
}

static const struct opt_entry *
lookup (const char *name)
{
  for (size_t i = 0; i < sizeof (table) / sizeof (table[0]); i++)
    if (strcmp (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

int
hr_mount_opts_parse (char *const *options, size_t n, struct hr_mount_opts *out, hr_err *err)
{
  memset (out, 0, sizeof (*out));
  out->fs_options = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      const char *o = options[i];
      const struct opt_entry *e;

      if (o == NULL || *o == '\0')
        {
          hr_mount_opts_clear (out);
          return hr_error_plain (err, EINVAL, "empty mount option");
        }
      e = lookup (o);
      if (e == NULL)
        {
          /* Not a VFS option: it belongs to the filesystem (mode=755,
             size=65536k, newinstance, ...).  fsconfig() rejects what the
             filesystem does not know, with the option named. */
          out->fs_options[out->fs_options_len++] = o;
          continue;
        }
      if (e->recursive && (e->kind == ATTR_SET || e->kind == ATTR_CLEAR || e->kind == ATIME))
        out->attr_recursive = true;
      switch (e->kind)
        {
        case NOOP:
          break;
        case ATTR_SET:
          out->attr_set |= e->value;
          out->attr_clear &= ~e->value;
          if (e->recursive)
            {
              out->rattr_set |= e->value;
              out->rattr_clear &= ~e->value;
            }
          break;
        case ATTR_CLEAR:
          out->attr_clear |= e->value;
          out->attr_set &= ~e->value;
          if (e->recursive)
            {
              out->rattr_clear |= e->value;
              out->rattr_set &= ~e->value;
            }
          break;
        case ATIME:
          /* The atime mode is one field: the last option wins. */
          out->attr_set = (out->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | e->value;
          out->attr_clear |= MOUNT_ATTR__ATIME;
          out->atime_set = true;
          if (e->recursive)
            {
              out->rattr_set = (out->rattr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | e->value;
              out->rattr_clear |= MOUNT_ATTR__ATIME;
            }
          break;
        case IDMAP:
          out->idmap = true;
          if (e->recursive)
            out->ridmap = true;
          break;
        case TMPCOPYUP:
          out->tmpcopyup = true;
          break;
        case PROPAGATION:
          out->propagation = e->value;
          out->propagation_recursive = e->recursive;
          break;
        case BIND:
          out->bind = true;
          if (e->recursive)
            out->rbind = true;
          break;
        case SB_FLAG:
          out->fs_options[out->fs_options_len++] = o;
          break;
        }
    }
  return 0;
}

void
hr_mount_opts_clear (struct hr_mount_opts *o)
{
  free (o->fs_options);
  memset (o, 0, sizeof (*o));
}

uint64_t
hr_mount_opts_apply (const struct hr_mount_opts *o, uint64_t base)
{
  uint64_t r = base;
  if (o->atime_set)
    r &= ~(uint64_t) MOUNT_ATTR__ATIME;
  r &= ~(o->attr_clear & ~(uint64_t) MOUNT_ATTR__ATIME);
  r |= o->attr_set;
  return r;
}
