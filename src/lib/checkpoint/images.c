/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sanity check of a checkpoint's memory images before CRIU restores
 * them (checkpoint.h).  CRIU trusts them: a pages image shorter than its
 * pagemap says (a truncated copy, an interrupted transfer) makes the
 * restored task spin forever in CRIU's restorer while CRIU waits for it,
 * and runc hangs with it.  Each pagemap-*.img is read (CRIU's image
 * framing: two magic words, then size-prefixed protobuf messages: a
 * pagemap_head with pages_id, then pagemap_entry records) and the pages
 * it says are present must fit in pages-<pages_id>.img.  The images come
 * from anywhere (an imported archive): the decoder is fuzzed
 * (tests/fuzz/fuzz-pagemap.c).
 */
#include <config.h>
#include "checkpoint/checkpoint.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* criu/include/magic.h, criu/include/pagemap.h */
#define IMG_COMMON_MAGIC 0x54564319u
#define PAGEMAP_MAGIC 0x56084025u
#define PE_PARENT (1u << 0)
#define PE_PRESENT (1u << 2)
/* A pagemap of a real process is far below this. */
#define PAGEMAP_MAX (64u << 20)

static uint32_t
le32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static bool
varint (const uint8_t **p, const uint8_t *end, uint64_t *v)
{
  *v = 0;
  for (unsigned shift = 0; shift < 64 && *p < end; shift += 7)
    {
      uint8_t b = *(*p)++;
      *v |= (uint64_t) (b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
  return false;
}

/* One protobuf message: the varint fields 1..5 into f[1..5] (has[] says
   which were there); other fields are skipped, a malformed one fails. */
static bool
message (const uint8_t *p, const uint8_t *end, uint64_t f[6], bool has[6])
{
  memset (has, 0, 6 * sizeof (bool));
  while (p < end)
    {
      uint64_t key, v;
      if (!varint (&p, end, &key))
        return false;
      unsigned field = (unsigned) (key >> 3), wire = (unsigned) (key & 7);
      switch (wire)
        {
        case 0:
          if (!varint (&p, end, &v))
            return false;
          if (field >= 1 && field <= 5)
            {
              f[field] = v;
              has[field] = true;
            }
          break;
        case 1:
          if (end - p < 8)
            return false;
          p += 8;
          break;
        case 2:
          if (!varint (&p, end, &v) || v > (uint64_t) (end - p))
            return false;
          p += v;
          break;
        case 5:
          if (end - p < 4)
            return false;
          p += 4;
          break;
        default:
          return false;
        }
    }
  return true;
}

int
hr_pagemap_parse (const uint8_t *data, size_t len, uint32_t *pages_id, uint64_t *present, hr_err *err)
{
  const uint8_t *p = data, *end = data + len;
  uint64_t f[6];
  bool has[6], head = false;

  *present = 0;
  if (len < 8 || le32 (p) != IMG_COMMON_MAGIC || le32 (p + 4) != PAGEMAP_MAGIC)
    return hr_error_plain (err, EINVAL, "not a CRIU pagemap image");
  p += 8;
  while (p < end)
    {
      if (end - p < 4)
        return hr_error_plain (err, EINVAL, "truncated pagemap entry");
      uint32_t n = le32 (p);
      p += 4;
      if (n > (size_t) (end - p))
        return hr_error_plain (err, EINVAL, "truncated pagemap entry");
      if (!message (p, p + n, f, has))
        return hr_error_plain (err, EINVAL, "malformed pagemap entry");
      p += n;
      if (!head)
        {
          /* pagemap_head { required uint32 pages_id = 1; } */
          if (!has[1] || f[1] > UINT32_MAX)
            return hr_error_plain (err, EINVAL, "pagemap without a pages id");
          *pages_id = (uint32_t) f[1];
          head = true;
          continue;
        }
      /* pagemap_entry: vaddr 1, compat_nr_pages 2, in_parent 3, flags 4,
         nr_pages 5; CRIU's init_compat_pagemap_entry for old images. */
      uint64_t flags = has[4] ? f[4] : 0;
      if (has[3] && f[3])
        flags |= PE_PARENT;
      else if (!has[4])
        flags = PE_PRESENT;
      uint64_t nr = has[5] ? f[5] : has[2] ? f[2] : 0;
      if ((flags & PE_PRESENT) && !(flags & PE_PARENT))
        {
          if (nr > (UINT64_MAX >> 16) - *present)
            return hr_error_plain (err, EINVAL, "pagemap counts too many pages");
          *present += nr;
        }
    }
  if (!head)
    return hr_error_plain (err, EINVAL, "empty pagemap image");
  return 0;
}

int
hr_images_check (int images_fd, hr_err *err)
{
  _cleanup_close_ int dfd = openat (images_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_closedir_ DIR *d = NULL;
  struct dirent *de;
  long page = sysconf (_SC_PAGESIZE);

  if (dfd < 0 || (d = fdopendir (dfd)) == NULL)
    return hr_error_set (err, errno, "read the image directory");
  dfd = -1; /* owned by d */
  while ((de = readdir (d)))
    {
      if (strncmp (de->d_name, "pagemap-", 8) != 0)
        continue;
      _cleanup_free_ char *data = NULL;
      size_t len = 0;
      uint32_t id = 0;
      uint64_t present = 0;
      struct stat st;
      if (hr_read_file_at (images_fd, de->d_name, PAGEMAP_MAX, &data, &len, err) < 0)
        return hr_error_wrap (err, "checkpoint image");
      if (hr_pagemap_parse ((const uint8_t *) data, len, &id, &present, err) < 0)
        return hr_error_wrap (err, "checkpoint image %s", de->d_name);
      char pages[32];
      snprintf (pages, sizeof (pages), "pages-%u.img", id);
      if (fstatat (images_fd, pages, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (present == 0 && errno == ENOENT)
            continue;
          return hr_error_set (err, errno, "checkpoint image %s: %s", de->d_name, pages);
        }
      if (!S_ISREG (st.st_mode) || (uint64_t) st.st_size < present * (uint64_t) page)
        return hr_error_plain (err, EINVAL,
                               "checkpoint image is incomplete: %s holds %lld bytes, %s names %llu pages of %ld",
                               pages, (long long) st.st_size, de->d_name, (unsigned long long) present, page);
    }
  return 0;
}

/* criu/include/magic.h */
#define IMG_SERVICE_MAGIC 0x55105940u
#define STATS_MAGIC 0x57093306u

int
hr_criu_dump_stats_parse (const uint8_t *data, size_t len, struct hr_criu_dump_stats *st, hr_err *err)
{
  const uint8_t *p = data, *end = data + len;

  memset (st, 0, sizeof (*st));
  if (len < 12 || le32 (p) != IMG_SERVICE_MAGIC || le32 (p + 4) != STATS_MAGIC)
    return hr_error_plain (err, EINVAL, "not a CRIU stats image");
  uint32_t n = le32 (p + 8);
  p += 12;
  if (n > (size_t) (end - p))
    return hr_error_plain (err, EINVAL, "truncated stats image");
  end = p + n;
  /* stats_entry { optional dump_stats_entry dump = 1; ... } */
  while (p < end)
    {
      uint64_t key, v;
      if (!varint (&p, end, &key))
        return hr_error_plain (err, EINVAL, "malformed stats image");
      if ((key & 7) == 2)
        {
          if (!varint (&p, end, &v) || v > (uint64_t) (end - p))
            return hr_error_plain (err, EINVAL, "malformed stats image");
          if ((key >> 3) == 1)
            {
              /* dump_stats_entry: every field a varint (images/stats.proto). */
              const uint8_t *q = p, *qend = p + v;
              while (q < qend)
                {
                  uint64_t k, x;
                  if (!varint (&q, qend, &k) || (k & 7) != 0 || !varint (&q, qend, &x))
                    return hr_error_plain (err, EINVAL, "malformed dump statistics");
                  switch (k >> 3)
                    {
                    case 1: st->freezing_time = x; break;
                    case 2: st->frozen_time = x; break;
                    case 3: st->memdump_time = x; break;
                    case 4: st->memwrite_time = x; break;
                    case 5: st->pages_scanned = x; break;
                    case 6: st->pages_skipped_parent = x; break;
                    case 7: st->pages_written = x; break;
                    case 9: st->pages_lazy = x; break;
                    default: break;
                    }
                }
              st->present = true;
            }
          p += v;
        }
      else if ((key & 7) == 0)
        {
          if (!varint (&p, end, &v))
            return hr_error_plain (err, EINVAL, "malformed stats image");
        }
      else
        return hr_error_plain (err, EINVAL, "malformed stats image");
    }
  if (!st->present)
    return hr_error_plain (err, EINVAL, "stats image without dump statistics");
  return 0;
}

int
hr_criu_dump_stats_read (int dirfd, struct hr_criu_dump_stats *st, hr_err *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;

  if (hr_read_file_at (dirfd, "stats-dump", 64 * 1024, &data, &len, err) < 0)
    return -1;
  return hr_criu_dump_stats_parse ((const uint8_t *) data, len, st, err);
}
