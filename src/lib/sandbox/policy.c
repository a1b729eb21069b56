/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox policy document (issue 16, docs/sandbox.md): YAML or JSON
 * (JSON is YAML 1.2, and libyaml reads it), parsed with libyaml's event
 * API into a small bounded tree, then checked key by key into struct
 * hr_policy.  The input is untrusted (an engine passes it through an
 * annotation), so: a size, depth and node cap; no anchors or aliases
 * (a "billion laughs" document expands exponentially); no tags; unknown
 * and duplicate keys refused; every error names the key it is about.
 */
#include <config.h>
#include "sandbox/policy.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <yaml.h>

/* A policy is a few hundred bytes; these bounds are far above any real
   one and keep a hostile document from costing memory or stack. */
#define POLICY_MAX_SIZE (256u * 1024)
#define POLICY_MAX_DEPTH 8
#define POLICY_MAX_NODES 16384
#define POLICY_MAX_LIST 1024

#define MAX_CPU_MILLICORES (4096u * 1000) /* 4096 cores */
#define MAX_MEMORY_MB (16u * 1024 * 1024) /* 16 TiB */
#define MAX_PIDS 4194304                  /* PID_MAX_LIMIT on 64-bit */
#define MAX_NETWORK_KBIT (1000000u * 1000) /* 1 Tbit/s */
#define MAX_AUDIT_SIZE_MB (1024u * 1024)
#define MAX_AUDIT_FILES 1000u
/* Audit file rotation when the policy has an audit section but does not
   say (docs/sandbox.md). */
#define DEFAULT_AUDIT_SIZE_MB 100u
#define DEFAULT_AUDIT_FILES 5u

static const char *const default_exec_paths[] = {
  "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/libexec",
  /* The ELF interpreter and shared libraries are opened for execution. */
  "/lib", "/lib64", "/usr/lib", "/usr/lib64", NULL,
};

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode
{
  enum ykind kind;
  char *value; /* Y_SCALAR */
  size_t len;
  bool plain;           /* unquoted: may be null, a bool or a number */
  struct ynode **items; /* Y_SEQ: items; Y_MAP: key, value, key, value... */
  size_t n, cap;
  struct ynode *parent;
};

static void
ynode_free (struct ynode *n)
{
  /* Depth is bounded by POLICY_MAX_DEPTH, so recursion is too. */
  if (n == NULL)
    return;
  for (size_t i = 0; i < n->n; i++)
    ynode_free (n->items[i]);
  free (n->items);
  free (n->value);
  free (n);
}
DEFINE_CLEANUP_FUNC (struct ynode, ynode_free)

static void
ynode_add (struct ynode *parent, struct ynode *child)
{
  if (parent->n == parent->cap)
    {
      parent->cap = parent->cap ? parent->cap * 2 : 8;
      parent->items = xrealloc (parent->items, parent->cap * sizeof (*parent->items));
    }
  parent->items[parent->n++] = child;
  child->parent = parent;
}

static const char *
yaml_event_what (yaml_event_type_t t)
{
  switch (t)
    {
    case YAML_SCALAR_EVENT:
      return "a scalar";
    case YAML_SEQUENCE_START_EVENT:
      return "a list";
    default:
      return "a mapping";
    }
}

/* The event stream into a tree: one document, no anchors, aliases or
   tags, bounded depth and node count. */
static int
load_tree (const char *text, size_t len, struct ynode **out, hr_err *err)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  _cleanup_ (ynode_freep) struct ynode *root = NULL;
  struct ynode *cur = NULL;
  size_t depth = 0, nodes = 0, docs = 0;
  int ret = -1;
  bool done = false;

  if (!yaml_parser_initialize (&parser))
    return hr_error_plain (err, ENOMEM, "policy: cannot initialize the YAML parser");
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  while (!done)
    {
      if (!yaml_parser_parse (&parser, &ev))
        {
          hr_error_plain (err, EINVAL, "policy: invalid YAML at line %zu column %zu: %s",
                          (size_t) parser.problem_mark.line + 1, (size_t) parser.problem_mark.column + 1,
                          parser.problem ? parser.problem : "syntax error");
          goto out;
        }
      const char *anchor = NULL, *tag = NULL;
      size_t line = ev.start_mark.line + 1;
      switch (ev.type)
        {
        case YAML_STREAM_END_EVENT:
          done = true;
          break;
        case YAML_DOCUMENT_START_EVENT:
          if (++docs > 1)
            {
              hr_error_plain (err, EINVAL, "policy: line %zu: more than one YAML document", line);
              goto fail_event;
            }
          break;
        case YAML_ALIAS_EVENT:
          hr_error_plain (err, EINVAL, "policy: line %zu: YAML aliases are not allowed", line);
          goto fail_event;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
          if (ev.type == YAML_SCALAR_EVENT)
            anchor = (const char *) ev.data.scalar.anchor, tag = (const char *) ev.data.scalar.tag;
          else if (ev.type == YAML_SEQUENCE_START_EVENT)
            anchor = (const char *) ev.data.sequence_start.anchor, tag = (const char *) ev.data.sequence_start.tag;
          else
            anchor = (const char *) ev.data.mapping_start.anchor, tag = (const char *) ev.data.mapping_start.tag;
          if (anchor)
            {
              hr_error_plain (err, EINVAL, "policy: line %zu: YAML anchors are not allowed", line);
              goto fail_event;
            }
          if (tag)
            {
              hr_error_plain (err, EINVAL, "policy: line %zu: YAML tags are not allowed", line);
              goto fail_event;
            }
          if (++nodes > POLICY_MAX_NODES)
            {
              hr_error_plain (err, E2BIG, "policy: more than %u values", POLICY_MAX_NODES);
              goto fail_event;
            }
          if (cur == NULL && root != NULL)
            {
              hr_error_plain (err, EINVAL, "policy: line %zu: more than one value at the top level", line);
              goto fail_event;
            }
          struct ynode *n = xmalloc0 (sizeof (*n));
          if (ev.type == YAML_SCALAR_EVENT)
            {
              n->kind = Y_SCALAR;
              n->len = ev.data.scalar.length;
              n->value = xmalloc0 (n->len + 1);
              memcpy (n->value, ev.data.scalar.value, n->len);
              n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            }
          else
            n->kind = ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
          if (cur)
            ynode_add (cur, n);
          else
            root = n;
          if (n->kind != Y_SCALAR)
            {
              if (++depth > POLICY_MAX_DEPTH)
                {
                  hr_error_plain (err, E2BIG, "policy: line %zu: %s nested deeper than %u levels", line,
                                  yaml_event_what (ev.type), POLICY_MAX_DEPTH);
                  goto fail_event;
                }
              cur = n;
            }
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          depth--;
          cur = cur->parent;
          break;
        default:
          break;
        }
      yaml_event_delete (&ev);
    }
  if (root == NULL)
    {
      hr_error_plain (err, EINVAL, "policy: the document is empty");
      goto out;
    }
  *out = TAKE_PTR (root);
  ret = 0;
  goto out;
fail_event:
  yaml_event_delete (&ev);
out:
  yaml_parser_delete (&parser);
  return ret;
}

/* Plain scalars are typed by the YAML 1.2 core schema (so `yes` is a
   string, not YAML 1.1's boolean); quoted ones are always strings. */
enum yscalar { S_NULL, S_BOOL, S_NUMBER, S_STRING };

/* The core schema's int and float forms: [-+]?[0-9]+, 0o[0-7]+,
   0x[0-9a-fA-F]+, [-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?,
   [-+]?.inf, .nan (and their capitalized spellings). */
static bool
core_number (const char *v)
{
  static const char *const special[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                                         "-.INF", ".nan", ".NaN", ".NAN", NULL };
  const char *p = v;
  size_t d;
  for (size_t i = 0; special[i]; i++)
    if (!strcmp (v, special[i]))
      return true;
  if (p[0] == '0' && (p[1] == 'o' || p[1] == 'x'))
    {
      d = strspn (p + 2, p[1] == 'o' ? "01234567" : "0123456789abcdefABCDEF");
      return d > 0 && p[2 + d] == '\0';
    }
  p += *p == '-' || *p == '+';
  d = strspn (p, "0123456789");
  p += d;
  if (*p == '.')
    {
      size_t f = strspn (p + 1, "0123456789");
      if (d == 0 && f == 0)
        return false;
      p += 1 + f;
    }
  else if (d == 0)
    return false;
  if (*p == 'e' || *p == 'E')
    {
      p += 1 + (p[1] == '-' || p[1] == '+');
      d = strspn (p, "0123456789");
      if (d == 0)
        return false;
      p += d;
    }
  return *p == '\0';
}

static enum yscalar
scalar_type (const struct ynode *n)
{
  const char *v = n->value;
  if (!n->plain)
    return S_STRING;
  if (*v == '\0' || !strcmp (v, "~") || !strcmp (v, "null") || !strcmp (v, "Null") || !strcmp (v, "NULL"))
    return S_NULL;
  if (!strcmp (v, "true") || !strcmp (v, "True") || !strcmp (v, "TRUE") || !strcmp (v, "false")
      || !strcmp (v, "False") || !strcmp (v, "FALSE"))
    return S_BOOL;
  if (core_number (v))
    return S_NUMBER;
  return S_STRING;
}

static const char *
node_what (const struct ynode *n)
{
  if (n->kind == Y_SEQ)
    return "a list";
  if (n->kind == Y_MAP)
    return "a mapping";
  switch (scalar_type (n))
    {
    case S_NULL:
      return "null";
    case S_BOOL:
      return "a boolean";
    case S_NUMBER:
      return "a number";
    default:
      return "a string";
    }
}

static int
type_error (hr_err *err, const char *path, const char *want, const struct ynode *n)
{
  return hr_error_plain (err, EINVAL, "%s: expected %s, got %s", path, want, node_what (n));
}

static int
get_bool (const struct ynode *n, const char *path, bool *out, hr_err *err)
{
  if (n->kind != Y_SCALAR || scalar_type (n) != S_BOOL)
    return type_error (err, path, "true or false", n);
  *out = n->value[0] == 't' || n->value[0] == 'T';
  return 0;
}

static int
get_string (const struct ynode *n, const char *path, const char **out, hr_err *err)
{
  if (n->kind != Y_SCALAR || scalar_type (n) != S_STRING)
    return type_error (err, path, "a string", n);
  /* "\0" in a double-quoted scalar decodes to a NUL byte. */
  if (strlen (n->value) != n->len)
    return hr_error_plain (err, EINVAL, "%s: contains a NUL byte", path);
  if (n->len == 0)
    return hr_error_plain (err, EINVAL, "%s: is empty", path);
  *out = n->value;
  return 0;
}

/* A non-negative decimal with at most `frac` fraction digits, scaled by
   10^frac: "2" -> 2000, "0.5" -> 500 with frac 3.  Exponents, signs and
   hex are refused: a limit is written as a plain number. */
static int
get_decimal (const struct ynode *n, const char *path, unsigned frac, uint64_t min, uint64_t max, uint64_t *out,
             hr_err *err)
{
  const char *v = n->value, *p;
  uint64_t whole = 0, part = 0;
  unsigned digits = 0;

  if (n->kind != Y_SCALAR || scalar_type (n) != S_NUMBER)
    return type_error (err, path, "a number", n);
  for (p = v; *p >= '0' && *p <= '9'; p++)
    {
      if (whole > (UINT64_MAX - 9) / 10)
        goto range;
      whole = whole * 10 + (uint64_t) (*p - '0');
    }
  if (p == v && *p != '.')
    goto range; /* a sign: "-1" */
  if (*p == '.')
    {
      if (frac == 0)
        return hr_error_plain (err, EINVAL, "%s: %s is not an integer", path, v);
      for (p++; *p >= '0' && *p <= '9'; p++, digits++)
        {
          if (digits == frac)
            return hr_error_plain (err, EINVAL, "%s: %s has more than %u decimal places", path, v, frac);
          part = part * 10 + (uint64_t) (*p - '0');
        }
    }
  if (*p != '\0')
    return hr_error_plain (err, EINVAL, "%s: %s is not a plain decimal number", path, v);
  for (; digits < frac; digits++)
    part *= 10;
  uint64_t scale = 1;
  for (unsigned i = 0; i < frac; i++)
    scale *= 10;
  if (whole > UINT64_MAX / scale)
    goto range;
  *out = whole * scale + part;
  if (*out < min || *out > max)
    goto range;
  return 0;
range:
  if (frac == 0)
    return hr_error_plain (err, ERANGE, "%s: %s is out of range (%llu..%llu)", path, v, (unsigned long long) min,
                           (unsigned long long) max);
  return hr_error_plain (err, ERANGE, "%s: %s is out of range (%llu.%03llu..%llu)", path, v,
                         (unsigned long long) (min / 1000), (unsigned long long) (min % 1000),
                         (unsigned long long) (max / 1000));
}

/* Keys of a mapping: strings, each once, each one of `known`. */
static int
check_keys (const struct ynode *m, const char *path, const char *const *known, hr_err *err)
{
  if (m->kind != Y_MAP)
    return type_error (err, path, "a mapping", m);
  for (size_t i = 0; i < m->n; i += 2)
    {
      const struct ynode *k = m->items[i];
      const char *name;
      size_t j;
      if (k->kind != Y_SCALAR || scalar_type (k) != S_STRING || strlen (k->value) != k->len)
        return hr_error_plain (err, EINVAL, "%s: a key must be a string, got %s", path, node_what (k));
      name = k->value;
      for (j = 0; known[j] && strcmp (known[j], name); j++)
        ;
      if (known[j] == NULL)
        return hr_error_plain (err, EINVAL, "%s: unknown key \"%s\"", path, name);
      for (j = 0; j < i; j += 2)
        if (!strcmp (m->items[j]->value, name))
          return hr_error_plain (err, EINVAL, "%s: duplicate key \"%s\"", path, name);
    }
  return 0;
}

static const struct ynode *
map_get (const struct ynode *m, const char *key)
{
  for (size_t i = 0; i + 1 < m->n; i += 2)
    if (!strcmp (m->items[i]->value, key))
      return m->items[i + 1];
  return NULL;
}

/* An absolute path with no ".", ".." or empty component and no trailing
   slash: what the kernel resolves is what the policy says, and two
   spellings of one directory cannot escape a comparison. */
static int
check_clean_path (const char *path, const char *v, hr_err *err)
{
  if (v[0] != '/')
    return hr_error_plain (err, EINVAL, "%s: \"%s\" is not an absolute path", path, v);
  if (strlen (v) >= PATH_MAX)
    return hr_error_plain (err, ENAMETOOLONG, "%s: longer than %d bytes", path, PATH_MAX - 1);
  if (strcmp (v, "/") == 0)
    return 0;
  for (const char *c = v + 1;; )
    {
      const char *e = strchrnul (c, '/');
      size_t l = (size_t) (e - c);
      if (l == 0)
        return hr_error_plain (err, EINVAL, "%s: \"%s\" is not a clean path (empty component or trailing \"/\")",
                               path, v);
      if ((l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' && c[1] == '.'))
        return hr_error_plain (err, EINVAL, "%s: \"%s\" is not a clean path (\"%.*s\" component)", path, v,
                               (int) l, c);
      if (*e == '\0')
        break;
      c = e + 1;
    }
  return 0;
}

/* a equals b or lies under it. */
static bool
path_within (const char *a, const char *b)
{
  size_t l = strlen (b);
  if (strcmp (b, "/") == 0)
    return true;
  return strncmp (a, b, l) == 0 && (a[l] == '\0' || a[l] == '/');
}

static int
get_list (const struct ynode *n, const char *path, hr_err *err)
{
  if (n->kind != Y_SEQ)
    return type_error (err, path, "a list", n);
  if (n->n > POLICY_MAX_LIST)
    return hr_error_plain (err, E2BIG, "%s: more than %u entries", path, POLICY_MAX_LIST);
  return 0;
}

static int
get_path_list (const struct ynode *n, const char *path, bool writable, char ***out, size_t *out_len, hr_err *err)
{
  char **v;
  if (get_list (n, path, err) < 0)
    return -1;
  v = xmalloc0 ((n->n + 1) * sizeof (*v));
  *out = v;
  *out_len = 0;
  for (size_t i = 0; i < n->n; i++)
    {
      _cleanup_free_ char *ipath = xasprintf ("%s[%zu]", path, i);
      const char *s;
      if (get_string (n->items[i], ipath, &s, err) < 0 || check_clean_path (ipath, s, err) < 0)
        return -1;
      if (strcmp (s, "/") == 0)
        return hr_error_plain (err, EINVAL, "%s: \"/\" would make the whole root filesystem %s", ipath,
                               writable ? "writable" : "executable");
      /* The kernel's interfaces: a tmpfs there would hide them (and
         Landlock does not govern procfs and sysfs writes anyway). */
      if (writable && (path_within (s, "/proc") || path_within (s, "/sys")))
        return hr_error_plain (err, EINVAL, "%s: \"%s\" is under /proc or /sys", ipath, s);
      /* Writable paths are nodev: on /dev or /dev/pts that would break
         the device nodes and terminals the container needs. */
      if (writable && (strcmp (s, "/dev") == 0 || path_within (s, "/dev/pts")))
        return hr_error_plain (err, EINVAL, "%s: \"%s\" holds device nodes (writable paths are nodev)", ipath, s);
      for (size_t j = 0; j < i; j++)
        if (strcmp (v[j], s) == 0)
          return hr_error_plain (err, EINVAL, "%s: \"%s\" is listed twice", ipath, s);
      v[i] = xstrdup (s);
      (*out_len)++;
    }
  return 0;
}

static int
get_commands (const struct ynode *n, const char *path, struct hr_policy *p, hr_err *err)
{
  if (get_list (n, path, err) < 0)
    return -1;
  p->blocked = xmalloc0 ((n->n + 1) * sizeof (char *));
  for (size_t i = 0; i < n->n; i++)
    {
      _cleanup_free_ char *ipath = xasprintf ("%s[%zu]", path, i);
      const char *s;
      if (get_string (n->items[i], ipath, &s, err) < 0)
        return -1;
      /* A name, matched against every file of that name in the
         executable paths (by identity) and against argv[0]'s basename:
         a path would only block one of its spellings. */
      if (strchr (s, '/'))
        return hr_error_plain (err, EINVAL, "%s: \"%s\" is not a command name (contains \"/\")", ipath, s);
      if (!strcmp (s, ".") || !strcmp (s, ".."))
        return hr_error_plain (err, EINVAL, "%s: \"%s\" is not a command name", ipath, s);
      if (strlen (s) > NAME_MAX)
        return hr_error_plain (err, ENAMETOOLONG, "%s: longer than %d bytes", ipath, NAME_MAX);
      p->blocked[p->n_blocked++] = xstrdup (s);
    }
  return 0;
}

/* RFC 1123 host name: labels of letters, digits and '-', not starting or
   ending with '-'; the last label not all digits (that would be a
   mistyped address). */
static bool
valid_hostname (const char *h, size_t len)
{
  size_t start = 0;
  bool alldigits = true;
  if (len == 0 || len > 253)
    return false;
  for (size_t i = 0; i <= len; i++)
    {
      if (i == len || h[i] == '.')
        {
          size_t l = i - start;
          if (l == 0 || l > 63 || h[start] == '-' || h[i - 1] == '-' || (i == len && alldigits))
            return false;
          start = i + 1;
          alldigits = true;
          continue;
        }
      char c = h[i];
      bool digit = c >= '0' && c <= '9';
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!digit && !alpha && c != '-')
        return false;
      alldigits &= digit;
    }
  return true;
}

static int
parse_u (const char *s, size_t len, unsigned max, unsigned *out)
{
  unsigned v = 0;
  if (len == 0 || len > 6 || (len > 1 && s[0] == '0'))
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (unsigned) (s[i] - '0');
    }
  if (v > max)
    return -1;
  *out = v;
  return 0;
}

/* One allow_internet entry: "host:port", "A.B.C.D[/len]:port" or
   "[v6[/len]]:port"; port "*" is any. */
static int
parse_dest (const char *path, const char *s, struct hr_policy_dest *d, hr_err *err)
{
  const char *colon, *addr = s;
  size_t addr_len;
  char buf[INET6_ADDRSTRLEN + 8];
  unsigned port = 0, prefix;
  const char *slash;

  if (s[0] == '[')
    {
      const char *close = strchr (s, ']');
      if (close == NULL || close[1] != ':')
        return hr_error_plain (err, EINVAL, "%s: \"%s\": expected \"[v6 address]:port\"", path, s);
      addr = s + 1;
      addr_len = (size_t) (close - addr);
      colon = close + 1;
      d->family = AF_INET6;
    }
  else
    {
      colon = strrchr (s, ':');
      if (colon == NULL)
        return hr_error_plain (err, EINVAL, "%s: \"%s\" has no port (write \"%s:*\" for any port)", path, s, s);
      addr_len = (size_t) (colon - s);
      if (memchr (s, ':', addr_len))
        return hr_error_plain (err, EINVAL, "%s: \"%s\": an IPv6 address goes in brackets, \"[addr]:port\"", path,
                               s);
      d->family = AF_INET;
    }
  if (strcmp (colon + 1, "*") == 0)
    port = 0;
  else if (parse_u (colon + 1, strlen (colon + 1), 65535, &port) < 0 || port == 0)
    return hr_error_plain (err, EINVAL, "%s: \"%s\": the port must be 1..65535 or \"*\"", path, s);
  d->port = (uint16_t) port;

  slash = memchr (addr, '/', addr_len);
  size_t ip_len = slash ? (size_t) (slash - addr) : addr_len;
  if (ip_len == 0 || ip_len >= sizeof (buf))
    goto bad_host;
  memcpy (buf, addr, ip_len);
  buf[ip_len] = '\0';
  unsigned bits = d->family == AF_INET6 ? 128 : 32;
  if (inet_pton (d->family, buf, d->addr) != 1)
    {
      if (d->family == AF_INET6 || slash || !valid_hostname (addr, addr_len))
        goto bad_host;
      d->host = xmalloc0 (addr_len + 1);
      memcpy (d->host, addr, addr_len);
      d->family = 0;
      return 0;
    }
  prefix = bits;
  if (slash && parse_u (slash + 1, addr_len - ip_len - 1, bits, &prefix) < 0)
    return hr_error_plain (err, EINVAL, "%s: \"%s\": the prefix length must be 0..%u", path, s, bits);
  d->prefix = (uint8_t) prefix;
  for (unsigned b = prefix; b < bits; b++)
    if (d->addr[b / 8] & (0x80 >> (b % 8)))
      return hr_error_plain (err, EINVAL, "%s: \"%s\": the address has bits set past the prefix /%u", path, s,
                             prefix);
  return 0;
bad_host:
  return hr_error_plain (err, EINVAL, "%s: \"%s\": \"%.*s\" is neither an address nor a host name", path, s,
                         (int) addr_len, addr);
}

static int
get_internet (const struct ynode *n, const char *path, struct hr_policy *p, hr_err *err)
{
  if (n->kind == Y_SCALAR)
    {
      if (scalar_type (n) != S_BOOL)
        return type_error (err, path, "true, false or a list of destinations", n);
      return get_bool (n, path, &p->internet, err);
    }
  if (n->kind != Y_SEQ)
    return type_error (err, path, "true, false or a list of destinations", n);
  if (get_list (n, path, err) < 0)
    return -1;
  p->internet = false;
  p->allow = xmalloc0 ((n->n ? n->n : 1) * sizeof (*p->allow));
  for (size_t i = 0; i < n->n; i++)
    {
      _cleanup_free_ char *ipath = xasprintf ("%s[%zu]", path, i);
      const char *s;
      if (get_string (n->items[i], ipath, &s, err) < 0)
        return -1;
      /* Each text once: hr_policy_resolve expands a name into entries
         sharing its text, which the canonical JSON names once. */
      for (size_t j = 0; j < p->n_allow; j++)
        if (strcmp (p->allow[j].text, s) == 0)
          return hr_error_plain (err, EINVAL, "%s: \"%s\" is listed twice", ipath, s);
      struct hr_policy_dest *d = &p->allow[p->n_allow++];
      d->text = xstrdup (s);
      if (parse_dest (ipath, s, d, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_limits (const struct ynode *m, struct hr_policy *p, hr_err *err)
{
  static const char *const keys[] = { "max_cpu_cores", "max_memory_mb", "max_pids", "max_network_mbps", NULL };
  const char *base = "policy.resource_limits";
  const struct ynode *v;
  uint64_t u;

  if (check_keys (m, base, keys, err) < 0)
    return -1;
  if ((v = map_get (m, "max_cpu_cores"))
      && get_decimal (v, "policy.resource_limits.max_cpu_cores", 3, 1, MAX_CPU_MILLICORES, &p->cpu_millicores, err) < 0)
    return -1;
  if ((v = map_get (m, "max_memory_mb")))
    {
      if (get_decimal (v, "policy.resource_limits.max_memory_mb", 0, 1, MAX_MEMORY_MB, &u, err) < 0)
        return -1;
      p->memory_bytes = u << 20;
    }
  if ((v = map_get (m, "max_pids")))
    {
      if (get_decimal (v, "policy.resource_limits.max_pids", 0, 1, MAX_PIDS, &u, err) < 0)
        return -1;
      p->pids = (int64_t) u;
    }
  if ((v = map_get (m, "max_network_mbps"))
      && get_decimal (v, "policy.resource_limits.max_network_mbps", 3, 1, MAX_NETWORK_KBIT, &p->network_kbit, err) < 0)
    return -1;
  return 0;
}

static int
parse_access (const struct ynode *m, struct hr_policy *p, hr_err *err)
{
  static const char *const keys[] = { "allow_internet", "allow_sudo", "writable_paths", "blocked_commands",
                                      "executable_paths", NULL };
  const struct ynode *v;

  if (check_keys (m, "policy.access_controls", keys, err) < 0)
    return -1;
  if ((v = map_get (m, "allow_internet")) && get_internet (v, "policy.access_controls.allow_internet", p, err) < 0)
    return -1;
  if ((v = map_get (m, "allow_sudo")) && get_bool (v, "policy.access_controls.allow_sudo", &p->sudo, err) < 0)
    return -1;
  if ((v = map_get (m, "writable_paths"))
      && get_path_list (v, "policy.access_controls.writable_paths", true, &p->writable, &p->n_writable, err) < 0)
    return -1;
  if ((v = map_get (m, "blocked_commands")) && get_commands (v, "policy.access_controls.blocked_commands", p, err) < 0)
    return -1;
  if ((v = map_get (m, "executable_paths")))
    {
      if (get_path_list (v, "policy.access_controls.executable_paths", false, &p->exec_paths, &p->n_exec, err) < 0)
        return -1;
      if (p->n_exec == 0)
        return hr_error_plain (err, EINVAL, "policy.access_controls.executable_paths: must list at least one path");
    }
  return 0;
}

static int
parse_audit (const struct ynode *m, struct hr_policy *p, hr_err *err)
{
  static const char *const keys[] = { "log_level", "monitor_files", "monitor_network", "file", "max_size_mb",
                                      "max_files", NULL };
  const struct ynode *v;
  const char *s;
  uint64_t u;

  if (check_keys (m, "policy.audit", keys, err) < 0)
    return -1;
  p->audit = HR_AUDIT_BASIC;
  p->audit_max_bytes = (uint64_t) DEFAULT_AUDIT_SIZE_MB << 20;
  p->audit_keep = DEFAULT_AUDIT_FILES;
  if ((v = map_get (m, "log_level")))
    {
      if (get_string (v, "policy.audit.log_level", &s, err) < 0)
        return -1;
      if (!strcmp (s, "none"))
        p->audit = HR_AUDIT_OFF;
      else if (!strcmp (s, "basic"))
        p->audit = HR_AUDIT_BASIC;
      else if (!strcmp (s, "detailed"))
        p->audit = HR_AUDIT_DETAILED;
      else
        return hr_error_plain (err, EINVAL, "policy.audit.log_level: \"%s\" is not none, basic or detailed", s);
    }
  if ((v = map_get (m, "monitor_files")) && get_bool (v, "policy.audit.monitor_files", &p->monitor_files, err) < 0)
    return -1;
  if ((v = map_get (m, "monitor_network"))
      && get_bool (v, "policy.audit.monitor_network", &p->monitor_network, err) < 0)
    return -1;
  if ((v = map_get (m, "file")))
    {
      if (get_string (v, "policy.audit.file", &s, err) < 0 || check_clean_path ("policy.audit.file", s, err) < 0)
        return -1;
      /* The audit process is host root and a policy can come from an
         annotation, which an engine may pass from its users: it writes
         only beneath its own directory, never /etc/shadow (audit.h). */
      if (strncmp (s, HR_AUDIT_FILE_DIR "/", strlen (HR_AUDIT_FILE_DIR) + 1) != 0)
        return hr_error_plain (err, EINVAL, "policy.audit.file: \"%s\" is not beneath " HR_AUDIT_FILE_DIR, s);
      p->audit_file = xstrdup (s);
    }
  if ((v = map_get (m, "max_size_mb")))
    {
      if (get_decimal (v, "policy.audit.max_size_mb", 0, 1, MAX_AUDIT_SIZE_MB, &u, err) < 0)
        return -1;
      p->audit_max_bytes = u << 20;
    }
  if ((v = map_get (m, "max_files")))
    {
      if (get_decimal (v, "policy.audit.max_files", 0, 0, MAX_AUDIT_FILES, &u, err) < 0)
        return -1;
      p->audit_keep = (unsigned) u;
    }
  return 0;
}

/* A writable tree inside an executable one (or the reverse) would let a
   program written there run: the rule the whole sandbox rests on. */
static int
check_overlap (const struct hr_policy *p, hr_err *err)
{
  for (size_t i = 0; i < p->n_writable; i++)
    for (size_t j = 0; j < p->n_exec; j++)
      if (path_within (p->writable[i], p->exec_paths[j]) || path_within (p->exec_paths[j], p->writable[i]))
        return hr_error_plain (err, EINVAL,
                               "policy.access_controls.writable_paths[%zu]: \"%s\" overlaps executable path \"%s\"",
                               i, p->writable[i], p->exec_paths[j]);
  return 0;
}

static int
parse_policy (const struct ynode *root, struct hr_policy *p, hr_err *err)
{
  static const char *const top[] = { "policy", NULL };
  static const char *const keys[] = { "name", "require", "resource_limits", "access_controls", "audit", NULL };
  const struct ynode *m, *v;
  const char *s;

  if (root->kind != Y_MAP)
    return hr_error_plain (err, EINVAL, "policy: expected a mapping with the key \"policy\", got %s",
                           node_what (root));
  if (check_keys (root, "(top level)", top, err) < 0)
    return -1;
  m = map_get (root, "policy");
  if (m == NULL)
    return hr_error_plain (err, EINVAL, "(top level): missing the key \"policy\"");
  if (check_keys (m, "policy", keys, err) < 0)
    return -1;
  if ((v = map_get (m, "name")))
    {
      if (get_string (v, "policy.name", &s, err) < 0)
        return -1;
      if (strlen (s) > 253)
        return hr_error_plain (err, EINVAL, "policy.name: longer than 253 bytes");
      for (const char *c = s; *c; c++)
        if ((unsigned char) *c < 0x20 || *c == 0x7f)
          return hr_error_plain (err, EINVAL, "policy.name: contains a control character");
      p->name = xstrdup (s);
    }
  if ((v = map_get (m, "require")))
    {
      if (get_string (v, "policy.require", &s, err) < 0)
        return -1;
      if (!strcmp (s, "all"))
        p->require_all = true;
      else if (strcmp (s, "best-effort"))
        return hr_error_plain (err, EINVAL, "policy.require: \"%s\" is not all or best-effort", s);
    }
  if ((v = map_get (m, "resource_limits")) && parse_limits (v, p, err) < 0)
    return -1;
  if ((v = map_get (m, "access_controls")) && parse_access (v, p, err) < 0)
    return -1;
  if ((v = map_get (m, "audit")) && parse_audit (v, p, err) < 0)
    return -1;
  if (p->exec_paths == NULL)
    p->exec_paths = oci_strv_dup (default_exec_paths, &p->n_exec);
  if (p->writable == NULL)
    p->writable = xmalloc0 (sizeof (char *));
  if (p->blocked == NULL)
    p->blocked = xmalloc0 (sizeof (char *));
  return check_overlap (p, err);
}

static void
dests_free (struct hr_policy_dest *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].text);
      free (v[i].host);
    }
  free (v);
}

int
hr_policy_parse (const char *text, size_t len, struct hr_policy **out, hr_err *err)
{
  _cleanup_ (ynode_freep) struct ynode *root = NULL;
  _cleanup_ (hr_policy_freep) struct hr_policy *p = NULL;

  if (len > POLICY_MAX_SIZE)
    return hr_error_plain (err, E2BIG, "policy: larger than %u bytes", POLICY_MAX_SIZE);
  if (memchr (text, '\0', len))
    return hr_error_plain (err, EINVAL, "policy: contains a NUL byte");
  if (load_tree (text, len, &root, err) < 0)
    return -1;
  /* Defaults of a sandbox are its restrictive values: no internet, no
     privileges, nothing writable (docs/sandbox.md). */
  p = xmalloc0 (sizeof (*p));
  if (parse_policy (root, p, err) < 0)
    return -1;
  *out = TAKE_PTR (p);
  return 0;
}

void
hr_policy_free (struct hr_policy *p)
{
  if (p == NULL)
    return;
  free (p->name);
  dests_free (p->allow, p->n_allow);
  strv_free (p->writable);
  strv_free (p->blocked);
  strv_free (p->exec_paths);
  free (p->audit_file);
  free (p);
}


int
hr_policy_resolve (struct hr_policy *p, hr_err *err)
{
  size_t n = 0, cap = p->n_allow;
  struct hr_policy_dest *v = xmalloc0 ((cap ? cap : 1) * sizeof (*v));
  int ret = -1;

  for (size_t i = 0; i < p->n_allow; i++)
    {
      struct hr_policy_dest *d = &p->allow[i];
      struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG }, *res = NULL;
      int r;
      if (n == cap)
        {
          cap = cap * 2 + 4;
          v = xrealloc (v, cap * sizeof (*v));
        }
      if (d->host == NULL || d->family != 0)
        {
          v[n++] = (struct hr_policy_dest){ .text = xstrdup (d->text), .host = d->host ? xstrdup (d->host) : NULL,
                                            .family = d->family, .prefix = d->prefix, .port = d->port };
          memcpy (v[n - 1].addr, d->addr, sizeof (d->addr));
          continue;
        }
      r = getaddrinfo (d->host, NULL, &hints, &res);
      if (r != 0)
        {
          hr_error_plain (err, r == EAI_SYSTEM ? errno : ENOENT,
                          "policy.access_controls.allow_internet[%zu]: cannot resolve \"%s\": %s", i, d->host,
                          gai_strerror (r));
          goto out;
        }
      for (struct addrinfo *a = res; a; a = a->ai_next)
        {
          struct hr_policy_dest e = { .family = a->ai_family, .port = d->port };
          if (a->ai_family == AF_INET)
            {
              memcpy (e.addr, &((struct sockaddr_in *) a->ai_addr)->sin_addr, 4);
              e.prefix = 32;
            }
          else if (a->ai_family == AF_INET6)
            {
              memcpy (e.addr, &((struct sockaddr_in6 *) a->ai_addr)->sin6_addr, 16);
              e.prefix = 128;
            }
          else
            continue;
          bool dup = false;
          for (size_t j = 0; j < n && !dup; j++)
            dup = v[j].family == e.family && v[j].port == e.port && !memcmp (v[j].addr, e.addr, 16)
                  && v[j].host && !strcmp (v[j].host, d->host);
          if (dup)
            continue;
          if (n == cap)
            {
              cap = cap * 2 + 4;
              v = xrealloc (v, cap * sizeof (*v));
            }
          e.text = xstrdup (d->text);
          e.host = xstrdup (d->host);
          v[n++] = e;
        }
      freeaddrinfo (res);
    }
  dests_free (p->allow, p->n_allow);
  p->allow = TAKE_PTR (v);
  p->n_allow = n;
  ret = 0;
out:
  if (v)
    dests_free (v, n);
  return ret;
}
