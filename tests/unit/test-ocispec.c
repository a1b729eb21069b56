/* SPDX-License-Identifier: Apache-2.0 */
/* libocispec: round trips, schema examples, error messages, defaults. */
#include <config.h>
#include "oci.h"
#include "codec.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif
/* The runtime-spec's schema examples, when available (optional; override
   with HYDRA_OCI_SCHEMA_TESTS). */
/* ../shared beside the source tree, unless HYDRA_SHARED says otherwise. */
#define SHARED_DIR TEST_DATA_DIR "/../../../../shared"

static char *
data_path (const char *name)
{
  const char *src = getenv ("HYDRA_SRCDIR");
  if (src)
    return xasprintf ("%s/tests/unit/data/%s", src, name);
  return xasprintf ("%s/%s", TEST_DATA_DIR, name);
}

/* Coverage of the declarations: which (struct, field) pairs were present
   in a parsed document, so the "full" fixtures provably touch every field. */
#define MAX_SEEN 1024
static struct
{
  const oci_struct_desc *d;
  size_t field;
} seen[MAX_SEEN];
static size_t n_seen;

static void
mark (const oci_struct_desc *d, size_t i)
{
  for (size_t k = 0; k < n_seen; k++)
    if (seen[k].d == d && seen[k].field == i)
      return;
  if (n_seen < MAX_SEEN)
    seen[n_seen++] = (typeof (seen[0])) { d, i };
}

static bool
was_seen (const oci_struct_desc *d, size_t i)
{
  for (size_t k = 0; k < n_seen; k++)
    if (seen[k].d == d && seen[k].field == i)
      return true;
  return false;
}

typedef struct
{
  char **keys;
  void **values;
  size_t len;
} gmap;

static void
walk (const oci_struct_desc *d, const char *obj)
{
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const oci_field_desc *f = &d->fields[i];
      const void *p = obj + f->off;
      bool present = false;
      switch (f->kind)
        {
        case OCI_K_STR:
        case OCI_K_STRV:
        case OCI_K_INTV:
          present = *(void *const *) p != NULL;
          break;
        case OCI_K_ENUMV:
          present = *(void *const *) p != NULL;
          break;
        case OCI_K_BOOL:
        case OCI_K_INT:
        case OCI_K_ENUM:
          present = *(const bool *) (obj + f->aux_off);
          break;
        case OCI_K_OBJ:
          present = *(void *const *) p != NULL;
          if (present)
            walk (f->sub, *(char *const *) p);
          break;
        case OCI_K_OBJV:
          present = *(void *const *) p != NULL;
          for (size_t j = 0; present && j < *(const size_t *) (obj + f->aux_off); j++)
            walk (f->sub, (*(char **const *) p)[j]);
          break;
        case OCI_K_SMAP:
        case OCI_K_OMAP:
          present = ((const gmap *) p)->keys != NULL;
          for (size_t j = 0; f->kind == OCI_K_OMAP && present && j < ((const gmap *) p)->len; j++)
            walk (f->sub, ((const gmap *) p)->values[j]);
          break;
        }
      if (present)
        mark (d, i);
    }
}

/* Report every declared field reachable from d that the fixture lacks. */
static int
unseen (const oci_struct_desc *d, int depth)
{
  int missing = 0;
  if (depth > 16)
    return 0;
  for (size_t i = 0; i < d->n_fields; i++)
    {
      const oci_field_desc *f = &d->fields[i];
      if (!was_seen (d, i))
        {
          printf ("#   not exercised: %s.%s\n", d->name, f->cname);
          missing++;
        }
      if (f->sub)
        missing += unseen (f->sub, depth + 1);
    }
  return missing;
}

/* parse -> serialize -> parse -> serialize; the two outputs must match. */
#define ROUND_TRIP(T, file)                                             \
  do {                                                                  \
    _cleanup_free_ char *path_ = data_path (file);                      \
    _cleanup_ (T##_freep) T *a_ = NULL;                                 \
    _cleanup_ (T##_freep) T *b_ = NULL;                                 \
    _cleanup_free_ char *j1_ = NULL, *j2_ = NULL;                       \
    size_t l1_ = 0, l2_ = 0;                                            \
    hr_err err_ = NULL;                                                 \
    int r_ = T##_parse_file (path_, &a_, &err_);                        \
    ok (r_ == 0, #T " parses %s%s%s", file, err_ ? ": " : "", err_ ? err_->msg : ""); \
    hr_error_free (&err_);                                              \
    if (r_ == 0)                                                        \
      {                                                                 \
        n_seen = 0;                                                     \
        walk (&oci_desc_##T, (const char *) a_);                        \
        is_int (unseen (&oci_desc_##T, 0), 0, "%s exercises every declared field", file); \
        ok (T##_to_json (a_, true, &j1_, &l1_, &err_) == 0, #T " serializes"); \
        hr_error_free (&err_);                                          \
        ok (j1_ && T##_parse_data (j1_, l1_, NULL, &b_, &err_) == 0, #T " output re-parses"); \
        hr_error_free (&err_);                                          \
        ok (b_ && T##_to_json (b_, true, &j2_, &l2_, &err_) == 0, #T " re-serializes"); \
        hr_error_free (&err_);                                          \
        ok (j1_ && j2_ && l1_ == l2_ && memcmp (j1_, j2_, l1_) == 0, #T " round trip is stable"); \
      }                                                                 \
  } while (0)

static void
test_round_trips (void)
{
  ROUND_TRIP (oci_config, "full-config.json");
  ROUND_TRIP (oci_features, "full-features.json");
  ROUND_TRIP (oci_state, "full-state.json");
  ROUND_TRIP (hr_state_file, "full-hydra-state.json");

  /* Values survive exactly, including the extremes of each type. */
  {
    _cleanup_free_ char *path = data_path ("full-config.json");
    _cleanup_ (oci_config_freep) oci_config *c = NULL;
    hr_err err = NULL;
    if (oci_config_parse_file (path, &c, &err) < 0)
      {
        ok (0, "full config parses: %s", err->msg);
        hr_error_free (&err);
        return;
      }
    ok (c->process->rlimits[0]->hard == UINT64_MAX, "uint64 max kept exactly");
    ok (c->process->user->additional_gids_len == 3 && c->process->user->additional_gids[2] == UINT32_MAX,
        "uint32 array");
    is_int (c->process->oom_score_adj, -1000, "negative int32");
    ok (c->linux_->resources->memory->swap == -1 && c->linux_->resources->memory->swap_present,
        "int64 -1");
    ok (c->linux_->resources->memory->disable_oom_killer_present
        && !c->linux_->resources->memory->disable_oom_killer, "false bool is present");
    ok (c->process->capabilities->inheritable != NULL && c->process->capabilities->inheritable_len == 0,
        "empty array is present and empty");
    is_str (c->process->args[2], "echo \"hi\" \xc3\xa9\t", "escapes and UTF-8 decoded");
    ok (c->process->args[3] == NULL, "string arrays are NULL-terminated");
    is_str (oci_string_map_get (&c->linux_->sysctl, "net.core.somaxconn"), "256", "map lookup");
    is_int (c->linux_->net_devices.len, 2, "object map");
    is_str (c->linux_->net_devices.keys[0], "eth0", "object map key");
    is_str (c->linux_->net_devices.values[0]->name, "container_eth0", "object map value");
    is_int (c->linux_->time_offsets.values[1]->secs, -604800, "time offsets");
    is_int (c->linux_->devices[1]->file_mode, 0777, "fileMode");
    is_int (c->linux_->resources->block_io->weight_device[0]->leaf_weight, 300, "uint16");
    is_str (c->linux_->namespaces[1]->path, "/var/run/netns/neta", "namespace path");
    is_int (c->linux_->namespaces[5]->type, OCI_NAMESPACE_TYPE_USER, "an enumeration is parsed to its value");
    ok (c->linux_->namespaces[5]->type_present, "and marked present");
  }
}

static void
test_process_doc (void)
{
  _cleanup_free_ char *path = data_path ("full-process.json");
  _cleanup_ (oci_process_freep) oci_process *p = NULL;
  hr_err err = NULL;
  ok (oci_process_parse_file (path, &p, &err) == 0, "exec process.json parses");
  hr_error_free (&err);
  if (p)
    {
      is_str (p->cwd, "/tmp", "process cwd");
      ok (p->terminal_present && !p->terminal, "terminal false");
      is_str (p->apparmor_profile, "", "empty string kept");
    }
  {
    _cleanup_ (oci_process_freep) oci_process *q = NULL;
    const char *j = "{\"args\":[\"ls\"]}";
    ok (oci_process_parse_data (j, strlen (j), "process.json", &q, &err) < 0, "process without cwd");
    is_str (err ? err->msg : NULL, "process.json: .cwd: missing required field", "process cwd required");
    hr_error_free (&err);
  }
}

/* Every file in dir must parse (want_ok) or be refused. */
static void
schema_dir (const char *kind, const char *sub, bool want_ok)
{
  const char *base = getenv ("HYDRA_OCI_SCHEMA_TESTS");
  const char *shared = getenv ("HYDRA_SHARED");
  _cleanup_free_ char *fallback = xasprintf ("%s/oci-spec/schema/test", shared ? shared : SHARED_DIR);
  _cleanup_free_ char *dir = xasprintf ("%s/%s/%s", base ? base : fallback, kind, sub);
  _cleanup_closedir_ DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    {
      printf ("ok %d # skip %s: %s\n", ++tap_n, dir, strerror (errno));
      return;
    }
  while ((de = readdir (d)))
    {
      _cleanup_free_ char *p = NULL;
      hr_err err = NULL;
      int r;
      if (strstr (de->d_name, ".json") == NULL)
        continue;
      /* Other platforms' members are unknown properties to a Linux
         runtime and ignored, so their "bad" examples may well parse. */
      if (!want_ok && strncmp (de->d_name, "invalid-json", 12) != 0
          && strncmp (de->d_name, "linux-", 6) != 0 && strncmp (de->d_name, "missing-", 8) != 0)
        continue;
      p = xasprintf ("%s/%s", dir, de->d_name);
      if (strcmp (kind, "config") == 0)
        {
          oci_config *c = NULL;
          r = oci_config_parse_file (p, &c, &err);
          oci_config_free (c);
        }
      else if (strcmp (kind, "state") == 0)
        {
          oci_state *s = NULL;
          r = oci_state_parse_file (p, &s, &err);
          oci_state_free (s);
        }
      else
        {
          oci_features *f = NULL;
          r = oci_features_parse_file (p, &f, &err);
          oci_features_free (f);
        }
      if (want_ok)
        ok (r == 0, "schema %s/good/%s parses%s%s", kind, de->d_name, err ? ": " : "",
            err ? err->msg : "");
      else
        ok (r < 0, "schema %s/bad/%s refused: %s", kind, de->d_name, err ? err->msg : "(accepted)");
      hr_error_free (&err);
    }
}

static void
test_schema_examples (void)
{
  schema_dir ("config", "good", true);
  schema_dir ("config", "bad", false);
  schema_dir ("state", "good", true);
  schema_dir ("state", "bad", false);
  schema_dir ("features", "good", true);
  schema_dir ("features", "bad", false);
}

/* Parse j as config.json; it must fail with a message starting with want. */
static void
config_error (const char *j, const char *want, const char *what)
{
  oci_config *c = NULL;
  hr_err err = NULL;
  int r = oci_config_parse_data (j, strlen (j), "config.json", &c, &err);
  ok (r < 0 && c == NULL, "%s: refused", what);
  if (r < 0 && strncmp (err->msg, want, strlen (want)) != 0)
    printf ("#   got:  '%s'\n#   want: '%s...'\n", err->msg, want);
  ok (r < 0 && strncmp (err->msg, want, strlen (want)) == 0, "%s: message", what);
  hr_error_free (&err);
  oci_config_free (c);
}

#define CFG(x) "{\"ociVersion\":\"1.3.0\"," x "}"
#define PROC(x) CFG ("\"process\":{\"cwd\":\"/\"," x "}")
#define MEM(x) CFG ("\"linux\":{\"resources\":{\"memory\":{" x "}}}")

static void
test_errors (void)
{
  config_error (CFG ("\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"foo\"}]}"),
                "config.json: .linux.namespaces[2].type: unknown namespace type \"foo\"", "unknown namespace");
  config_error (PROC ("\"user\":{\"uid\":\"0\"}"),
                "config.json: .process.user.uid: expected integer, got string", "wrong type");
  config_error (MEM ("\"limit\":9223372036854775808"),
                "config.json: .linux.resources.memory.limit: out of range", "int64 overflow");
  config_error (MEM ("\"limit\":-9223372036854775809"),
                "config.json: .linux.resources.memory.limit: out of range", "int64 underflow");
  config_error (MEM ("\"swappiness\":18446744073709551616"),
                "config.json: .linux.resources.memory.swappiness: out of range", "uint64 overflow");
  config_error (PROC ("\"user\":{\"uid\":4294967296}"),
                "config.json: .process.user.uid: out of range", "uint32 overflow");
  config_error (PROC ("\"user\":{\"uid\":-1}"),
                "config.json: .process.user.uid: expected non-negative integer, got -1", "negative uint");
  config_error (PROC ("\"user\":{\"additionalGids\":[1,-5]}"),
                "config.json: .process.user.additionalGids[1]: expected non-negative integer", "negative in array");
  config_error (PROC ("\"user\":{\"uid\":1.5}"),
                "config.json: .process.user.uid: expected integer, got non-integer number \"1.5\"", "float for int");
  config_error (PROC ("\"user\":{\"uid\":1e3}"),
                "config.json: .process.user.uid: expected integer, got non-integer number", "exponent for int");
  config_error (PROC ("\"oomScoreAdj\":2147483648"), "config.json: .process.oomScoreAdj: out of range", "int32 overflow");
  config_error (CFG ("\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"fileMode\":512}]}"),
                "config.json: .linux.devices[0].fileMode: out of range", "fileMode above 0777");
  config_error (CFG ("\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}"),
                "config.json: .linux.resources.blockIO.weight: out of range", "uint16 overflow");
  config_error (CFG ("\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}"),
                "config.json: .hooks.poststop[0].timeout: out of range", "hook timeout minimum 1");
  config_error ("{\"ociVersion\":\"1.0\\u0000x\"}", "config.json: invalid JSON: string contains a NUL",
                "embedded NUL");
  config_error ("{\"oci\\u0000Version\":\"1.0\"}", "config.json: invalid JSON: object key contains a NUL",
                "embedded NUL in key");
  config_error ("{}", "config.json: .ociVersion: missing required field", "missing ociVersion");
  config_error (CFG ("\"root\":{\"readonly\":true}"), "config.json: .root.path: missing required field",
                "missing root.path");
  config_error (CFG ("\"process\":{\"args\":[\"sh\"]}"), "config.json: .process.cwd: missing required field",
                "missing process.cwd");
  config_error (CFG ("\"mounts\":[{\"source\":\"/a\"}]"), "config.json: .mounts[0].destination: missing required field",
                "missing mount destination");
  config_error ("{\"ociVersion\": \"1.0", "config.json: invalid JSON", "truncated JSON");
  config_error ("", "config.json: invalid JSON: empty document", "empty document");
  config_error ("  \n", "config.json: invalid JSON", "blank document");
  config_error ("{\"ociVersion\":\"1.0\"} {}", "config.json: invalid JSON", "trailing garbage");
  config_error ("{\"ociVersion\":\"\xff\"}", "config.json: invalid JSON", "invalid UTF-8");
  config_error ("{\"ociVersion\":\"1.0\",} ", "config.json: invalid JSON", "trailing comma");
  config_error ("/* c */ {\"ociVersion\":\"1.0\"}", "config.json: invalid JSON", "comments");
  config_error ("[]", "config.json: expected object, got array", "root not an object");
  config_error (CFG ("\"process\":[]"), "config.json: .process: expected object, got array", "object expected");
  config_error (CFG ("\"hostname\":7"), "config.json: .hostname: expected string, got number", "string expected");
  config_error (PROC ("\"terminal\":\"yes\""), "config.json: .process.terminal: expected boolean, got string",
                "boolean expected");
  config_error (PROC ("\"args\":\"sh\""), "config.json: .process.args: expected array, got string", "array expected");
  config_error (PROC ("\"args\":[\"sh\",1]"), "config.json: .process.args[1]: expected string, got number",
                "array item type");
  config_error (CFG ("\"linux\":{\"sysctl\":{\"net.x\":1}}"),
                "config.json: .linux.sysctl[\"net.x\"]: expected string, got number", "map value type");
  config_error (CFG ("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\",\"VAX\"]}}"),
                "config.json: .linux.seccomp.architectures[1]: unknown seccomp architecture \"VAX\"", "enum array");
  config_error (CFG ("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]}}"),
                "config.json: .linux.seccomp.syscalls[0].names: must not be empty", "minItems");
  config_error (CFG ("\"linux\":{\"seccomp\":{}}"), "config.json: .linux.seccomp.defaultAction: missing required field",
                "seccomp defaultAction required");
  config_error (CFG ("\"linux\":{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"64kB\",\"limit\":1}]}}"),
                "config.json: .linux.resources.hugepageLimits[0].pageSize: invalid value \"64kB\"", "pattern");
  config_error (CFG ("\"linux\":{\"rootfsPropagation\":\"rslavery\"}"),
                "config.json: .linux.rootfsPropagation: unknown rootfs propagation \"rslavery\"", "rootfsPropagation");
  config_error (CFG ("\"linux\":{\"resources\":{\"rdma\":{\"mlx\":{\"hcaHandles\":\"x\"}}}}"),
                "config.json: .linux.resources.rdma[\"mlx\"].hcaHandles: expected integer, got string", "object map value");
  config_error (PROC ("\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"hard\":1,\"soft\":1}]"),
                "config.json: .process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"", "rlimit type");
  config_error (CFG ("\"hostname\":\"a\",\"linux\":{\"namespaces\":[{\"type\":\"\\u001b[31m\"}]}"),
                "config.json: .linux.namespaces[0].type: unknown namespace type \"\\x1b[31m\"", "control characters escaped");

  /* 10000-deep nesting, in an ignored member and at the root: no crash. */
  {
    size_t depth = 10000;
    _cleanup_free_ char *j = xmalloc0 (2 * depth + 64);
    char *p = j + sprintf (j, "{\"ociVersion\":\"1\",\"x\":");
    memset (p, '[', depth);
    memset (p + depth, ']', depth);
    strcpy (p + 2 * depth, "}");
    config_error (j, "config.json: invalid JSON: nesting too deep", "10000-deep arrays");
    memset (j, '[', depth);
    j[depth] = '\0';
    config_error (j, "config.json: invalid JSON: nesting too deep", "10000 unclosed arrays");
    for (size_t i = 0; i < 2000; i++)
      memcpy (j + 5 * i, "{\"a\":", 5);
    j[5 * 2000] = '\0';
    config_error (j, "config.json: invalid JSON: nesting too deep", "2000-deep objects");
  }
}

static void
test_accepts (void)
{
  hr_err err = NULL;
  const char *j;

  {
    _cleanup_ (oci_config_freep) oci_config *c = NULL;
    _cleanup_free_ char *out = NULL;
    j = "{\"ociVersion\":\"1.0.0\",\"unknownTop\":{\"deep\":[1,2,{\"x\":null}]},"
        "\"process\":{\"cwd\":\"/\",\"newThing\":true},\"linux\":{\"foo\":1},"
        "\"windows\":{\"layerFolders\":[]},\"hostname\":null}";
    ok (oci_config_parse_data (j, strlen (j), "config.json", &c, &err) == 0, "unknown fields ignored");
    hr_error_free (&err);
    ok (c && c->hostname == NULL, "null is absent");
    ok (c && oci_config_to_json (c, false, &out, NULL, &err) == 0, "serializes");
    is_str (out, "{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\"},\"linux\":{}}",
            "unknown and absent fields are not written");
  }
  {
    _cleanup_ (oci_config_freep) oci_config *c = NULL;
    j = "{\"ociVersion\":\"1\",\"hostname\":\"a\",\"hostname\":\"b\","
        "\"annotations\":{\"k\":\"1\",\"j\":\"x\",\"k\":\"2\"},"
        "\"linux\":{\"resources\":{\"memory\":{\"limit\":-9223372036854775808,\"swap\":9223372036854775807}}}}";
    ok (oci_config_parse_data (j, strlen (j), "config.json", &c, &err) == 0, "duplicates and extremes parse");
    hr_error_free (&err);
    is_str (c ? c->hostname : NULL, "b", "duplicate key: last wins");
    ok (c && c->annotations.len == 2, "duplicate map key collapsed");
    is_str (c ? oci_string_map_get (&c->annotations, "k") : NULL, "2", "duplicate map key: last wins");
    ok (c && c->linux_->resources->memory->limit == INT64_MIN, "int64 min exact");
    ok (c && c->linux_->resources->memory->swap == INT64_MAX, "int64 max exact");
  }
  {
    _cleanup_ (oci_config_freep) oci_config *c = NULL;
    j = CFG ("\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-0}}");
    ok (oci_config_parse_data (j, strlen (j), NULL, &c, &err) == 0, "-0 is a valid unsigned 0");
    hr_error_free (&err);
  }
  {
    _cleanup_ (oci_state_freep) oci_state *s = NULL;
    j = "{\"ociVersion\":\"1.3.0\",\"id\":\"x\",\"status\":\"paused\",\"bundle\":\"/b\"}";
    ok (oci_state_parse_data (j, strlen (j), NULL, &s, &err) < 0, "bad status refused");
    is_str (err ? err->msg : NULL, "state.json: .status: unknown container status \"paused\"",
            "default name is the document's file name");
    hr_error_free (&err);
  }
  {
    _cleanup_ (oci_features_freep) oci_features *f = NULL;
    j = "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.3.0\",\"linux\":{\"capabilities\":[\"CAP_X\",\"cap_y\"]}}";
    ok (oci_features_parse_data (j, strlen (j), "features.json", &f, &err) < 0, "features capability pattern");
    ok (err && strstr (err->msg, ".linux.capabilities[1]: invalid value \"cap_y\""), "pattern on array items");
    hr_error_free (&err);
  }
}

static void
test_files (void)
{
  char dir[] = "/tmp/test-ocispec-XXXXXX";
  _cleanup_free_ char *missing = NULL, *empty = NULL;
  oci_config *c = NULL;
  hr_err err = NULL;
  int fd;

  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp: %s", strerror (errno));
      return;
    }
  missing = xasprintf ("%s/config.json", dir);
  ok (oci_config_parse_file (missing, &c, &err) < 0, "missing file refused");
  ok (err && strstr (err->msg, "open `") && strstr (err->msg, "config.json`: No such file or directory")
      && err->status == ENOENT, "missing file message: %s", err ? err->msg : "");
  hr_error_free (&err);

  empty = xasprintf ("%s/config.json", dir);
  fd = open (empty, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);
  ok (oci_config_parse_file (empty, &c, &err) < 0, "empty file refused");
  is_str (err ? err->msg : NULL, "config.json: invalid JSON: empty document", "empty file: basename prefix");
  hr_error_free (&err);
  unlink (empty);
  rmdir (dir);

  {
    size_t big = OCI_MAX_DOCUMENT_SIZE + 1;
    _cleanup_free_ char *buf = xmalloc0 (big);
    memset (buf, ' ', big);
    ok (oci_config_parse_data (buf, big, "config.json", &c, &err) < 0 && err->status == EFBIG,
        "documents over 32 MiB refused: %s", err ? err->msg : "");
    hr_error_free (&err);
  }
}

static void
test_serialize_validates (void)
{
  _cleanup_ (oci_config_freep) oci_config *c = oci_config_default (false, true);
  _cleanup_free_ char *out = NULL;
  hr_err err = NULL;

  c->linux_->namespaces[0]->type = OCI_NAMESPACE_TYPE__COUNT;
  ok (oci_config_to_json (c, true, &out, NULL, &err) < 0, "invalid enum value not serialized");
  is_str (err ? err->msg : NULL, "config.json: .linux.namespaces[0].type: invalid namespace type (value 8)",
          "serializer names the path");
  hr_error_free (&err);
  c->linux_->namespaces[0]->type_present = false;
  ok (oci_config_to_json (c, true, &out, NULL, &err) < 0, "required enum not set: not serialized");
  is_str (err ? err->msg : NULL, "config.json: .linux.namespaces[0].type: missing required field",
          "serializer says it is missing");
  hr_error_free (&err);
  c->linux_->namespaces[0]->type = OCI_NAMESPACE_TYPE_PID;
  c->linux_->namespaces[0]->type_present = true;
  free (c->root->path);
  c->root->path = NULL;
  ok (oci_config_validate (c, &err) < 0, "validate: missing root.path");
  is_str (err ? err->msg : NULL, "config.json: .root.path: missing required field", "validate message");
  hr_error_free (&err);
  c->root->path = xstrdup ("rootfs");
  free (c->process->args[0]);
  c->process->args[0] = xstrdup ("\xff\xfe");
  ok (oci_config_to_json (c, false, &out, NULL, &err) < 0, "invalid UTF-8 not serialized");
  hr_error_free (&err);
}

static void
check_default (bool rootless, bool cgroupns)
{
  _cleanup_ (oci_config_freep) oci_config *d = oci_config_default (rootless, cgroupns);
  _cleanup_ (oci_config_freep) oci_config *c = NULL;
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  hr_err err = NULL;
  bool has_user = false, has_net = false, has_cgroup = false, sys_bind = false;

  ok (oci_config_to_json (d, true, &out, &len, &err) == 0, "default(%d) serializes", rootless);
  hr_error_free (&err);
  ok (out && strncmp (out, "{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {", 36) == 0,
      "pretty output is tab-indented like runc spec");
  ok (out && oci_config_parse_data (out, len, "config.json", &c, &err) == 0, "default(%d) re-parses", rootless);
  hr_error_free (&err);
  if (c == NULL)
    return;
  is_str (c->process->args[0], "sh", "args sh");
  ok (c->process->terminal && c->process->no_new_privileges, "terminal, noNewPrivileges");
  is_int (c->process->rlimits[0]->type, OCI_RLIMIT_TYPE_NOFILE, "rlimit");
  is_int (c->mounts_len, 7, "seven mounts");
  for (size_t i = 0; i < c->linux_->namespaces_len; i++)
    {
      has_user |= c->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_USER;
      has_net |= c->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK;
      has_cgroup |= c->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_CGROUP;
    }
  ok (has_cgroup == cgroupns, "cgroup namespace only when asked (rootless=%d cgroupns=%d)", rootless, cgroupns);
  for (size_t i = 0; i < c->mounts_len; i++)
    if (strcmp (c->mounts[i]->destination, "/sys") == 0)
      sys_bind = strcmp (c->mounts[i]->type, "none") == 0 && strcmp (c->mounts[i]->options[0], "rbind") == 0;
  ok (has_user == rootless && has_net == !rootless, "namespaces for rootless=%d", rootless);
  ok (sys_bind == rootless, "/sys bind mount only when rootless");
  if (rootless)
    ok (c->linux_->uid_mappings_len == 1 && c->linux_->uid_mappings[0]->host_id == geteuid ()
        && c->linux_->gid_mappings[0]->host_id == getegid () && c->linux_->resources == NULL,
        "rootless maps the current user and has no resources");
  else
    ok (c->linux_->resources && c->linux_->resources->devices_len == 1 && c->linux_->uid_mappings == NULL,
        "default denies devices, no mappings");
}

static void
test_enums_and_maps (void)
{
  const char *const *ns = oci_enum_values (OCI_ENUM_NAMESPACE_TYPE);
  oci_string_map m = { 0 };

  ok (ns && strcmp (ns[OCI_NAMESPACE_TYPE_MOUNT], "mount") == 0 && ns[OCI_NAMESPACE_TYPE__COUNT] == NULL,
      "namespace enum values");
  is_int (oci_enum_index (OCI_ENUM_SECCOMP_ACTION, "SCMP_ACT_NOTIFY"), OCI_SECCOMP_ACTION_NOTIFY, "enum index");
  is_int (oci_enum_index (OCI_ENUM_SECCOMP_ACTION, "nope"), -1, "unknown enum value");
  ok (oci_enum_values (OCI_ENUM__COUNT) == NULL, "out-of-range enum id");
  oci_string_map_set (&m, "a", "1");
  oci_string_map_set (&m, "b", "2");
  oci_string_map_set (&m, "a", "3");
  ok (m.len == 2 && m.keys[2] == NULL, "map set appends once");
  is_str (oci_string_map_get (&m, "a"), "3", "map set replaces");
  strv_free (m.keys);
  strv_free (m.values);
  {
    hr_err err = NULL;
    ok (oci_tables_check (&err) == 0, "declared integer ranges fit their C types%s%s", err ? ": " : "",
        err ? err->msg : "");
    hr_error_free (&err);
  }
}

int
main (void)
{
  test_round_trips ();
  test_process_doc ();
  test_schema_examples ();
  test_errors ();
  test_accepts ();
  test_files ();
  test_serialize_validates ();
  check_default (false, false);
  check_default (false, true);
  check_default (true, false);
  check_default (true, true);
  test_enums_and_maps ();
  return tap_done ();
}
