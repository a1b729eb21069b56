/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/seccomp_cache.h"
#include "cleanup.h"
#include "git-commit.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bump when the entry layout or the canonical form changes. */
#define FORMAT_VERSION 1u
static const uint8_t MAGIC[8] = { 'H', 'R', 'S', 'C', 'B', 'P', 'F', 0 };
/* magic, version, count, key, checksum */
#define HEADER_LEN (8 + 4 + 4 + HR_SECCOMP_KEY_LEN + SHA256_DIGEST_SIZE)
/* A directory with more than this is not scanned further for eviction:
   the work of one store stays bounded whatever the directory holds. */
#define SCAN_MAX 1024
/* A temporary file this old was left by a writer that died. */
#define STALE_TMP_SECONDS 60

void
hr_seccomp_env_current (struct hr_seccomp_env *env)
{
  const struct scmp_version *v = seccomp_version ();
  *env = (struct hr_seccomp_env){
    .native_arch = seccomp_arch_native (),
    .lib_major = v ? v->major : 0,
    .lib_minor = v ? v->minor : 0,
    .lib_micro = v ? v->micro : 0,
    /* libseccomp checks actions and attributes against what it found the
       kernel supports; a kernel upgrade changes the level. */
    .api_level = (uint32_t) seccomp_api_get (),
    .build = GIT_COMMIT,
  };
}

/* --- canonical form ------------------------------------------------------

   Fixed-width little-endian integers, strings and lists prefixed with
   their length: no two profiles share a byte string.  Enumerations are
   written by name, not by the parser's index. */

struct buf
{
  uint8_t *p;
  size_t len, cap;
};

static void
put (struct buf *b, const void *data, size_t n)
{
  if (b->len + n > b->cap)
    {
      b->cap = (b->len + n) * 2 + 256;
      b->p = xrealloc (b->p, b->cap);
    }
  memcpy (b->p + b->len, data, n);
  b->len += n;
}

static void
put_u64 (struct buf *b, uint64_t v)
{
  uint8_t le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (uint8_t) (v >> (8 * i));
  put (b, le, sizeof (le));
}

static void
put_str (struct buf *b, const char *s)
{
  size_t n = s ? strlen (s) : 0;
  put_u64 (b, s ? n : UINT64_MAX);
  put (b, s, n);
}

static void
put_enum (struct buf *b, enum oci_enum set, int count, int v)
{
  put_str (b, v >= 0 && v < count ? oci_enum_values (set)[v] : "(invalid)");
}

void
hr_seccomp_canonical (const oci_seccomp *s, const struct hr_seccomp_env *env, uint8_t **out, size_t *len)
{
  struct buf b = { 0 };

  put_str (&b, "hydra-runc seccomp cache key");
  put_u64 (&b, FORMAT_VERSION);
  put_u64 (&b, env->native_arch);
  put_u64 (&b, env->lib_major);
  put_u64 (&b, env->lib_minor);
  put_u64 (&b, env->lib_micro);
  put_u64 (&b, env->api_level);
  put_str (&b, env->build);

  put_enum (&b, OCI_ENUM_SECCOMP_ACTION, OCI_SECCOMP_ACTION__COUNT, s->default_action);
  put_u64 (&b, s->default_errno_ret_present);
  put_u64 (&b, s->default_errno_ret_present ? s->default_errno_ret : 0);
  put_u64 (&b, s->architectures_len);
  for (size_t i = 0; i < s->architectures_len; i++)
    put_enum (&b, OCI_ENUM_SECCOMP_ARCH, OCI_SECCOMP_ARCH__COUNT, s->architectures[i]);
  put_u64 (&b, s->flags_len);
  for (size_t i = 0; i < s->flags_len; i++)
    put_enum (&b, OCI_ENUM_SECCOMP_FLAG, OCI_SECCOMP_FLAG__COUNT, s->flags[i]);
  put_u64 (&b, s->syscalls_len);
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const oci_seccomp_syscall *sc = s->syscalls[i];
      put_enum (&b, OCI_ENUM_SECCOMP_ACTION, OCI_SECCOMP_ACTION__COUNT, sc->action);
      put_u64 (&b, sc->errno_ret_present);
      put_u64 (&b, sc->errno_ret_present ? sc->errno_ret : 0);
      put_u64 (&b, sc->names_len);
      for (size_t n = 0; n < sc->names_len; n++)
        put_str (&b, sc->names[n]);
      put_u64 (&b, sc->args_len);
      for (size_t k = 0; k < sc->args_len; k++)
        {
          const oci_seccomp_arg *a = sc->args[k];
          put_u64 (&b, a->index);
          put_u64 (&b, a->value);
          put_u64 (&b, a->value_two_present);
          put_u64 (&b, a->value_two_present ? a->value_two : 0);
          put_enum (&b, OCI_ENUM_SECCOMP_OPERATOR, OCI_SECCOMP_OPERATOR__COUNT, a->op);
        }
    }
  /* listenerPath and listenerMetadata do not reach the program. */
  *out = b.p;
  *len = b.len;
}

void
hr_seccomp_cache_key (const oci_seccomp *s, const struct hr_seccomp_env *env, uint8_t key[HR_SECCOMP_KEY_LEN])
{
  _cleanup_free_ uint8_t *c = NULL;
  size_t len;
  struct sha256_ctx h;

  hr_seccomp_canonical (s, env, &c, &len);
  sha256_init (&h);
  sha256_update (&h, len, c);
  sha256_digest (&h, HR_SECCOMP_KEY_LEN, key);
}

/* --- entries ------------------------------------------------------------ */

static void
checksum (const struct sock_filter *insns, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
  struct sha256_ctx h;
  sha256_init (&h);
  sha256_update (&h, n * sizeof (*insns), (const uint8_t *) insns);
  sha256_digest (&h, SHA256_DIGEST_SIZE, out);
}

static void
le32 (uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t
get_le32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

size_t
hr_seccomp_entry_size (size_t ninsns)
{
  return HEADER_LEN + ninsns * sizeof (struct sock_filter);
}

void
hr_seccomp_entry_format (const uint8_t key[HR_SECCOMP_KEY_LEN], const struct sock_filter *insns, size_t n,
                         uint8_t **out, size_t *len)
{
  uint8_t *e = xmalloc0 (hr_seccomp_entry_size (n));
  memcpy (e, MAGIC, sizeof (MAGIC));
  le32 (e + 8, FORMAT_VERSION);
  le32 (e + 12, (uint32_t) n);
  memcpy (e + 16, key, HR_SECCOMP_KEY_LEN);
  checksum (insns, n, e + 16 + HR_SECCOMP_KEY_LEN);
  /* The instructions as the kernel takes them (this host's layout: the
     key names the native architecture). */
  memcpy (e + HEADER_LEN, insns, n * sizeof (*insns));
  *out = e;
  *len = hr_seccomp_entry_size (n);
}

int
hr_seccomp_entry_parse (const uint8_t *buf, size_t len, const uint8_t key[HR_SECCOMP_KEY_LEN],
                        struct sock_filter **insns, size_t *n, const char **why)
{
  uint8_t sum[SHA256_DIGEST_SIZE];

  *insns = NULL;
  *n = 0;
  if (len < HEADER_LEN)
    return *why = "shorter than its header", -1;
  if (memcmp (buf, MAGIC, sizeof (MAGIC)) != 0)
    return *why = "bad magic", -1;
  if (get_le32 (buf + 8) != FORMAT_VERSION)
    return *why = "unknown format version", -1;
  uint32_t count = get_le32 (buf + 12);
  if (count == 0 || count > BPF_MAXINSNS)
    return *why = "instruction count out of range", -1;
  if (len != hr_seccomp_entry_size (count))
    return *why = "length does not match the instruction count", -1;
  if (memcmp (buf + 16, key, HR_SECCOMP_KEY_LEN) != 0)
    return *why = "made for another key", -1;
  /* Copied first: the checksum is over what will be loaded. */
  struct sock_filter *p = xmalloc0 (count * sizeof (*p));
  memcpy (p, buf + HEADER_LEN, count * sizeof (*p));
  checksum (p, count, sum);
  if (memcmp (sum, buf + 16 + HR_SECCOMP_KEY_LEN, sizeof (sum)) != 0)
    {
      free (p);
      return *why = "bad checksum", -1;
    }
  *insns = p;
  *n = count;
  return 0;
}

/* --- the directory -------------------------------------------------------- */

/* <root>/.seccomp-cache as a directory fd, made if missing.  Never through
   a symlink: whatever else is at the name (symlink, file) is removed and
   the directory made anew.  A directory not ours or open to others is not
   used (-1, *why). */
static int
open_cache_dir (int rootfd, const char **why)
{
  struct stat st;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (mkdirat (rootfd, HR_SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
        return *why = "cannot make the directory", -1;
      int fd = openat (rootfd, HR_SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if ((errno != ELOOP && errno != ENOTDIR) || attempt > 0)
            return *why = "cannot open the directory", -1;
          /* A symlink or a file in its place: never followed, replaced. */
          if (unlinkat (rootfd, HR_SECCOMP_CACHE_DIR, 0) < 0)
            return *why = "cannot remove what is in the directory's place", -1;
          continue;
        }
      if (fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & 077))
        {
          close (fd);
          return *why = "the directory is not root's own (0700)", -1;
        }
      return fd;
    }
  return *why = "cannot open the directory", -1;
}

static void
hex (const uint8_t key[HR_SECCOMP_KEY_LEN], char out[2 * HR_SECCOMP_KEY_LEN + 1])
{
  for (size_t i = 0; i < HR_SECCOMP_KEY_LEN; i++)
    snprintf (out + 2 * i, 3, "%02x", key[i]);
}

/* 1: a valid entry in *out; 0: none (*why says why when one was there
   but malformed, NULL when absent). */
static int
lookup (int dirfd, const char *name, const uint8_t key[HR_SECCOMP_KEY_LEN], struct hr_seccomp_prog *out,
        const char **why)
{
  struct stat st;
  size_t max = hr_seccomp_entry_size (BPF_MAXINSNS);

  *why = NULL;
  /* O_NONBLOCK: a fifo in the entry's place must not block the create. */
  _cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno != ENOENT)
        *why = errno == ELOOP ? "a symlink" : "cannot be opened";
      return 0;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return *why = "not a regular file", 0;
  if (st.st_uid != geteuid () || (st.st_mode & 077))
    return *why = "not our own with mode 0600", 0;
  if (st.st_size <= 0 || (size_t) st.st_size > max)
    return *why = "size out of range", 0;
  _cleanup_free_ uint8_t *buf = xmalloc0 (st.st_size);
  ssize_t r = pread (fd, buf, st.st_size, 0);
  if (r != st.st_size)
    return *why = "short read", 0;
  if (hr_seccomp_entry_parse (buf, (size_t) r, key, &out->insns, &out->len, why) < 0)
    return 0;
  /* Least recently used: a hit makes the entry the newest. */
  (void) futimens (fd, NULL);
  return 1;
}

/* Remove stale temporary files, and the oldest entries while there are
   more than HR_SECCOMP_CACHE_MAX. */
static void
evict (int dirfd)
{
  _cleanup_close_ int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct entry
  {
    char name[2 * HR_SECCOMP_KEY_LEN + 1];
    struct timespec mtime;
  } *ents = NULL;
  size_t n = 0, seen = 0;
  struct dirent *de;
  struct stat st;
  time_t now = time (NULL);

  if (d == NULL)
    return;
  fd = -1; /* the DIR owns it */
  ents = xmalloc0 (SCAN_MAX * sizeof (*ents));
  while ((de = readdir (d)) != NULL && seen++ < SCAN_MAX)
    {
      if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
        continue;
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (de->d_name[0] == '.')
        {
          if (now - st.st_mtime > STALE_TMP_SECONDS)
            (void) unlinkat (dirfd, de->d_name, 0);
          continue;
        }
      if (strlen (de->d_name) != 2 * HR_SECCOMP_KEY_LEN || !S_ISREG (st.st_mode))
        continue;
      memcpy (ents[n].name, de->d_name, sizeof (ents[n].name));
      ents[n++].mtime = st.st_mtim;
    }
  closedir (d);
  while (n > HR_SECCOMP_CACHE_MAX)
    {
      size_t oldest = 0;
      for (size_t i = 1; i < n; i++)
        if (ents[i].mtime.tv_sec < ents[oldest].mtime.tv_sec
            || (ents[i].mtime.tv_sec == ents[oldest].mtime.tv_sec
                && ents[i].mtime.tv_nsec < ents[oldest].mtime.tv_nsec))
          oldest = i;
      (void) unlinkat (dirfd, ents[oldest].name, 0);
      ents[oldest] = ents[--n];
    }
  free (ents);
}

/* Write the entry under a temporary name, then rename it into place:
   readers see the old entry, none, or the new one whole.  Two writers of
   the same key each rename a complete file. */
static int
store (int dirfd, const char *name, const uint8_t key[HR_SECCOMP_KEY_LEN], const struct hr_seccomp_prog *p)
{
  _cleanup_free_ uint8_t *e = NULL;
  size_t len;
  char tmp[2 * HR_SECCOMP_KEY_LEN + 64];
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  snprintf (tmp, sizeof (tmp), ".tmp-%s-%d-%ld", name, (int) getpid (), (long) ts.tv_nsec);
  hr_seccomp_entry_format (key, p->insns, p->len, &e, &len);
  int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  ssize_t w = write (fd, e, len);
  if (close (fd) < 0 || w != (ssize_t) len || renameat (dirfd, tmp, dirfd, name) < 0)
    {
      (void) unlinkat (dirfd, tmp, 0);
      return -1;
    }
  evict (dirfd);
  return 0;
}

int
hr_seccomp_prepare (const oci_seccomp *s, int rootfd, struct hr_seccomp_prog *out, hr_err *err)
{
  struct hr_seccomp_env env;
  uint8_t key[HR_SECCOMP_KEY_LEN];
  char name[2 * HR_SECCOMP_KEY_LEN + 1];
  const char *why = NULL;

  *out = (struct hr_seccomp_prog){ 0 };
  hr_seccomp_env_current (&env);
  hr_seccomp_cache_key (s, &env, key);
  hex (key, name);

  _cleanup_close_ int dirfd = rootfd >= 0 ? open_cache_dir (rootfd, &why) : -1;
  if (dirfd >= 0)
    {
      if (lookup (dirfd, name, key, out, &why))
        {
          out->flags = hr_seccomp_filter_flags (s);
          hr_debug ("seccomp: filter cache hit %s", name);
          return 0;
        }
      if (why)
        hr_debug ("seccomp: filter cache ignored a malformed entry %s: %s", name, why);
    }
  else
    hr_debug ("seccomp: filter cache not used: %s", why ? why : "no state root");

  if (hr_seccomp_compile (s, out, err) < 0)
    return -1;
  if (dirfd < 0)
    hr_debug ("seccomp: filter cache miss, compiled %s", name);
  else if (store (dirfd, name, key, out) < 0)
    hr_debug ("seccomp: filter cache miss, compiled; not stored: %s", strerror (errno));
  else
    hr_debug ("seccomp: filter cache miss, compiled and stored %s", name);
  return 0;
}
