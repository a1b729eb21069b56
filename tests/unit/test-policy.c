/* SPDX-License-Identifier: Apache-2.0 */
/* Sandbox policies (src/lib/sandbox/policy.c, policy_lower.c): parse
   errors and their messages, defaults, the canonical JSON round trip, and
   the lowering into a config in memory (idempotent, keeps what is
   stricter). */
#include <config.h>
#include "sandbox/policy.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

static const char example[] =
  "policy:\n"
  "  name: restricted-coding\n"
  "  resource_limits: {max_cpu_cores: 2, max_memory_mb: 4096, max_pids: 512, max_network_mbps: 10}\n"
  "  access_controls:\n"
  "    allow_internet: false          # or an allow-list of host:port / CIDR:port\n"
  "    allow_sudo: false\n"
  "    writable_paths: [\"/workspace\", \"/tmp\"]\n"
  "    blocked_commands: [\"curl\", \"wget\", \"nc\"]\n"
  "  audit: {log_level: detailed, monitor_files: true, monitor_network: true}\n";

static struct hr_policy *
parse (const char *text)
{
  struct hr_policy *p = NULL;
  hr_err err = NULL;
  if (hr_policy_parse (text, strlen (text), &p, &err) < 0)
    {
      printf ("# unexpected error: %s\n", err->msg);
      hr_error_free (&err);
      return NULL;
    }
  return p;
}

/* The error message parsing `text` gives (caller frees), NULL if it
   parsed. */
static char *
parse_error (const char *text)
{
  struct hr_policy *p = NULL;
  hr_err err = NULL;
  char *msg;
  if (hr_policy_parse (text, strlen (text), &p, &err) == 0)
    {
      hr_policy_free (p);
      return NULL;
    }
  msg = xstrdup (err->msg);
  hr_error_free (&err);
  return msg;
}

static void
test_example (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (example);
  ok (p != NULL, "the issue's example parses");
  if (p == NULL)
    return;
  is_str (p->name, "restricted-coding", "name");
  is_int (p->cpu_millicores, 2000, "max_cpu_cores 2 = 2000 millicores");
  is_int (p->memory_bytes, 4096ull << 20, "max_memory_mb in bytes");
  is_int (p->pids, 512, "max_pids");
  is_int (p->network_kbit, 10000, "max_network_mbps in kbit");
  ok (!p->internet && p->n_allow == 0, "allow_internet false");
  ok (!p->sudo, "allow_sudo false");
  is_int (p->n_writable, 2, "two writable paths");
  is_str (p->writable[1], "/tmp", "writable_paths[1]");
  is_int (p->n_blocked, 3, "three blocked commands");
  is_str (p->blocked[2], "nc", "blocked_commands[2]");
  is_int (p->n_exec, 10, "executable_paths: the default list");
  is_str (p->exec_paths[0], "/bin", "executable_paths[0]");
  is_int (p->audit, HR_AUDIT_DETAILED, "log_level detailed");
  ok (p->monitor_files && p->monitor_network, "monitor_files and monitor_network");
  ok (!p->require_all, "require: best-effort by default");
}

static void
test_defaults (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse ("policy: {}");
  _cleanup_ (hr_policy_freep) struct hr_policy *q = parse ("policy: {audit: {file: /var/log/hydra-runc/agent.jsonl}}");
  _cleanup_ (hr_policy_freep) struct hr_policy *j
      = parse ("{\"policy\": {\"require\": \"all\", \"resource_limits\": {\"max_cpu_cores\": 0.25}}}");
  ok (p != NULL && q != NULL && j != NULL, "minimal policies parse (YAML and JSON)");
  if (!p || !q || !j)
    return;
  ok (!p->internet && !p->sudo, "no internet, no sudo unless allowed");
  is_int (p->audit, HR_AUDIT_OFF, "audit off without an audit key");
  ok (p->audit_file == NULL && p->audit_max_bytes == 0, "no audit file");
  is_int (p->n_writable + p->n_blocked, 0, "nothing writable or blocked");
  ok (p->writable != NULL && p->blocked != NULL, "empty lists are allocated");
  is_int (p->cpu_millicores + p->memory_bytes + (uint64_t) p->pids + p->network_kbit, 0, "no limits");
  is_int (q->audit, HR_AUDIT_BASIC, "log_level basic when audit has none");
  is_str (q->audit_file, "/var/log/hydra-runc/agent.jsonl", "audit.file");
  is_int (q->audit_max_bytes, 100ull << 20, "audit.max_size_mb default 100");
  is_int (q->audit_keep, 5, "audit.max_files default 5");
  ok (j->require_all, "require: all");
  is_int (j->cpu_millicores, 250, "max_cpu_cores 0.25 = 250 millicores");
}

/* Plain scalars are typed by YAML 1.2's core schema: what only looks
   numeric or boolean to YAML 1.1 is a string. */
static void
test_scalars (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p
      = parse ("policy: {access_controls: {blocked_commands: [12abc, yes, 'true', 1.2.3, 7z, \"42\"]}}");
  ok (p && p->n_blocked == 6 && !strcmp (p->blocked[0], "12abc") && !strcmp (p->blocked[1], "yes")
          && !strcmp (p->blocked[2], "true") && !strcmp (p->blocked[3], "1.2.3") && !strcmp (p->blocked[5], "42"),
      "names that only look like numbers or booleans are strings");
}

static void
test_allow_list (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (
      "policy:\n  access_controls:\n    allow_internet: [\"10.0.0.0/8:443\", \"[2001:db8::/32]:*\",\n"
      "      \"pypi.org:443\", \"192.0.2.7:80\", \"[::1]:8080\"]\n");
  ok (p != NULL, "an allow-list parses");
  if (p == NULL)
    return;
  is_int (p->n_allow, 5, "five destinations");
  ok (!p->internet, "an allow-list is not the open internet");
  ok (p->allow[0].family == AF_INET && p->allow[0].prefix == 8 && p->allow[0].port == 443
          && p->allow[0].addr[0] == 10 && p->allow[0].host == NULL,
      "CIDR:port");
  ok (p->allow[1].family == AF_INET6 && p->allow[1].prefix == 32 && p->allow[1].port == 0, "[v6/len]:* is any port");
  ok (p->allow[2].family == 0 && p->allow[2].host && !strcmp (p->allow[2].host, "pypi.org")
          && p->allow[2].port == 443,
      "a host name is kept for resolution at create");
  is_str (p->allow[2].text, "pypi.org:443", "the text as written");
  ok (p->allow[3].family == AF_INET && p->allow[3].prefix == 32, "an address alone is /32");
  ok (p->allow[4].family == AF_INET6 && p->allow[4].prefix == 128 && p->allow[4].addr[15] == 1, "[::1]:8080");
}

/* Names resolve at create into one entry per address (localhost: from
   /etc/hosts, no network needed); the document still says the name once. */
static void
test_resolve (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p
      = parse ("policy: {access_controls: {allow_internet: [\"10.1.0.0/16:22\", \"localhost:8080\"]}}");
  _cleanup_free_ char *before = NULL, *after = NULL;
  hr_err err = NULL;
  bool v4 = false, named = true;

  if (p == NULL)
    {
      ok (0, "resolve: parse");
      return;
    }
  before = hr_policy_to_json (p);
  ok (hr_policy_resolve (p, &err) == 0, "resolve localhost");
  hr_error_free (&err);
  ok (p->n_allow >= 2 && p->allow[0].family == AF_INET && p->allow[0].prefix == 16 && p->allow[0].host == NULL,
      "an address entry is kept as it was");
  for (size_t i = 1; i < p->n_allow; i++)
    {
      named &= p->allow[i].host && !strcmp (p->allow[i].host, "localhost") && p->allow[i].port == 8080
               && !strcmp (p->allow[i].text, "localhost:8080") && p->allow[i].family != 0;
      v4 |= p->allow[i].family == AF_INET && p->allow[i].addr[0] == 127 && p->allow[i].prefix == 32;
    }
  ok (named && v4, "localhost:8080 became its addresses (127.0.0.1 among them), name and text kept");
  after = hr_policy_to_json (p);
  is_str (after, before, "the canonical JSON names it once, as written");

  _cleanup_ (hr_policy_freep) struct hr_policy *bad
      = parse ("policy: {access_controls: {allow_internet: [\"no-such-host.invalid:1\"]}}");
  /* a name first, then entries after it: the list grows in place */
  _cleanup_ (hr_policy_freep) struct hr_policy *first = parse (
      "policy: {access_controls: {allow_internet: [\"localhost:1\", \"localhost:2\", \"10.0.0.0/8:3\", \"10.0.0.0/8:4\"]}}");
  ok (first && hr_policy_resolve (first, &err) == 0 && first->n_allow >= 4
          && first->allow[first->n_allow - 1].port == 4 && first->allow[first->n_allow - 2].port == 3,
      "names before addresses resolve in order");
  hr_error_free (&err);

  ok (bad && hr_policy_resolve (bad, &err) < 0 && err
          && strstr (err->msg, "allow_internet[0]: cannot resolve \"no-such-host.invalid\""),
      "a name that does not resolve is an error naming the entry");
  hr_error_free (&err);
}

/* Every refusal names the key it is about. */
static void
test_errors (void)
{
  static const struct
  {
    const char *text, *want;
  } cases[] = {
    { "policy:\n  access_controls:\n    writable_paths: [\"/workspace\", \"tmp\"]\n",
      "policy.access_controls.writable_paths[1]: \"tmp\" is not an absolute path" },
    { "policy: {access_controls: {writable_paths: [/a/../b]}}",
      "policy.access_controls.writable_paths[0]: \"/a/../b\" is not a clean path (\"..\" component)" },
    { "policy: {access_controls: {writable_paths: [//tmp]}}",
      "policy.access_controls.writable_paths[0]: \"//tmp\" is not a clean path (empty component or trailing \"/\")" },
    { "policy: {access_controls: {writable_paths: [/tmp/]}}",
      "policy.access_controls.writable_paths[0]: \"/tmp/\" is not a clean path (empty component or trailing \"/\")" },
    { "policy: {access_controls: {writable_paths: [/]}}",
      "policy.access_controls.writable_paths[0]: \"/\" would make the whole root filesystem writable" },
    { "policy: {access_controls: {writable_paths: [/proc/sys]}}",
      "policy.access_controls.writable_paths[0]: \"/proc/sys\" is under /proc or /sys" },
    { "policy: {access_controls: {writable_paths: [/dev]}}",
      "policy.access_controls.writable_paths[0]: \"/dev\" holds device nodes (writable paths are nodev)" },
    { "policy: {access_controls: {writable_paths: [/dev/pts]}}",
      "policy.access_controls.writable_paths[0]: \"/dev/pts\" holds device nodes (writable paths are nodev)" },
    { "policy: {access_controls: {writable_paths: [/tmp, /tmp]}}",
      "policy.access_controls.writable_paths[1]: \"/tmp\" is listed twice" },
    { "policy: {access_controls: {writable_paths: [/usr/bin/x]}}",
      "policy.access_controls.writable_paths[0]: \"/usr/bin/x\" overlaps executable path \"/usr/bin\"" },
    { "policy: {access_controls: {writable_paths: [/usr]}}",
      "policy.access_controls.writable_paths[0]: \"/usr\" overlaps executable path \"/usr/bin\"" },
    { "policy: {access_controls: {writable_paths: /tmp}}",
      "policy.access_controls.writable_paths: expected a list, got a string" },
    { "policy: {access_controls: {blocked_commands: [bin/curl]}}",
      "policy.access_controls.blocked_commands[0]: \"bin/curl\" is not a command name (contains \"/\")" },
    { "policy: {access_controls: {blocked_commands: [..]}}",
      "policy.access_controls.blocked_commands[0]: \"..\" is not a command name" },
    { "policy: {access_controls: {blocked_commands: [42]}}",
      "policy.access_controls.blocked_commands[0]: expected a string, got a number" },
    { "policy: {access_controls: {blocked_commands: [0x1F]}}",
      "policy.access_controls.blocked_commands[0]: expected a string, got a number" },
    { "policy: {access_controls: {blocked_commands: [-.5e3]}}",
      "policy.access_controls.blocked_commands[0]: expected a string, got a number" },
    { "policy: {access_controls: {blocked_commands: [~]}}",
      "policy.access_controls.blocked_commands[0]: expected a string, got null" },
    { "policy: {resource_limits: {max_pids: 0x10}}",
      "policy.resource_limits.max_pids: 0x10 is not a plain decimal number" },
    { "policy: {access_controls: {executable_paths: []}}",
      "policy.access_controls.executable_paths: must list at least one path" },
    { "policy: {access_controls: {allow_sudo: yes}}",
      "policy.access_controls.allow_sudo: expected true or false, got a string" },
    { "policy: {access_controls: {allow_internet: \"no\"}}",
      "policy.access_controls.allow_internet: expected true, false or a list of destinations, got a string" },
    { "policy: {access_controls: {allow_internet: [example.com]}}",
      "policy.access_controls.allow_internet[0]: \"example.com\" has no port (write \"example.com:*\" for any port)" },
    { "policy: {access_controls: {allow_internet: [\"a.com:1\", \"a.com:1\"]}}",
      "policy.access_controls.allow_internet[1]: \"a.com:1\" is listed twice" },
    { "policy: {access_controls: {allow_internet: [\"10.0.0.1/8:443\"]}}",
      "policy.access_controls.allow_internet[0]: \"10.0.0.1/8:443\": the address has bits set past the prefix /8" },
    { "policy: {access_controls: {allow_internet: [\"::1:80\"]}}",
      "policy.access_controls.allow_internet[0]: \"::1:80\": an IPv6 address goes in brackets, \"[addr]:port\"" },
    { "policy: {access_controls: {allow_internet: [\"a.com:0\"]}}",
      "policy.access_controls.allow_internet[0]: \"a.com:0\": the port must be 1..65535 or \"*\"" },
    { "policy: {access_controls: {allow_internet: [\"a.com:70000\"]}}",
      "policy.access_controls.allow_internet[0]: \"a.com:70000\": the port must be 1..65535 or \"*\"" },
    { "policy: {access_controls: {allow_internet: [\"10.0.0.0/33:1\"]}}",
      "policy.access_controls.allow_internet[0]: \"10.0.0.0/33:1\": the prefix length must be 0..32" },
    { "policy: {access_controls: {allow_internet: [\"-bad-.com:1\"]}}",
      "policy.access_controls.allow_internet[0]: \"-bad-.com:1\": \"-bad-.com\" is neither an address nor a host name" },
    { "policy: {access_controls: {allow_internet: [\"10.0.0:1\"]}}",
      "policy.access_controls.allow_internet[0]: \"10.0.0:1\": \"10.0.0\" is neither an address nor a host name" },
    { "policy: {resource_limits: {max_pids: -5}}",
      "policy.resource_limits.max_pids: -5 is out of range (1..4194304)" },
    { "policy: {resource_limits: {max_pids: 0}}", "policy.resource_limits.max_pids: 0 is out of range (1..4194304)" },
    { "policy: {resource_limits: {max_pids: 1.5}}", "policy.resource_limits.max_pids: 1.5 is not an integer" },
    { "policy: {resource_limits: {max_memory_mb: 99999999999999999999999}}",
      "policy.resource_limits.max_memory_mb: 99999999999999999999999 is out of range (1..16777216)" },
    { "policy: {resource_limits: {max_cpu_cores: 0.0001}}",
      "policy.resource_limits.max_cpu_cores: 0.0001 has more than 3 decimal places" },
    { "policy: {resource_limits: {max_cpu_cores: 1e3}}",
      "policy.resource_limits.max_cpu_cores: 1e3 is not a plain decimal number" },
    { "policy: {resource_limits: {max_cpu_cores: \"2\"}}",
      "policy.resource_limits.max_cpu_cores: expected a number, got a string" },
    { "policy: {resource_limits: {max_cpu_cores: 5000}}",
      "policy.resource_limits.max_cpu_cores: 5000 is out of range (0.001..4096)" },
    { "policy: {audit: {max_files: 1001}}", "policy.audit.max_files: 1001 is out of range (0..1000)" },
    { "policy: {audit: {file: relative.log}}", "policy.audit.file: \"relative.log\" is not an absolute path" },
    { "policy: {audit: {file: /etc/shadow}}", "policy.audit.file: \"/etc/shadow\" is not beneath /var/log/hydra-runc" },
    { "policy: {audit: {log_level: loud}}", "policy.audit.log_level: \"loud\" is not none, basic or detailed" },
    { "policy: {require: most}", "policy.require: \"most\" is not all or best-effort" },
    { "policy: {acces_controls: {}}", "policy: unknown key \"acces_controls\"" },
    { "policy: {audit: {log_level: basic, log_level: detailed}}", "policy.audit: duplicate key \"log_level\"" },
    { "{\"policy\": {\"name\": \"a\", \"name\": \"b\"}}", "policy: duplicate key \"name\"" },
    { "policy: {name: \"a\\0b\"}", "policy.name: contains a NUL byte" },
    { "policy: {resource_limits: 3}", "policy.resource_limits: expected a mapping, got a number" },
    { "policy: {name: [a]}", "policy.name: expected a string, got a list" },
    { "other: 1", "(top level): unknown key \"other\"" },
    { "{}", "(top level): missing the key \"policy\"" },
    { "- policy", "policy: expected a mapping with the key \"policy\", got a list" },
    { "", "policy: the document is empty" },
    { "policy: &a {}", "policy: line 1: YAML anchors are not allowed" },
    { "a: &x 1\npolicy: *x", "policy: line 1: YAML anchors are not allowed" },
    { "policy: !!map {}", "policy: line 1: YAML tags are not allowed" },
    { "policy: {}\n---\npolicy: {}\n", "policy: line 2: more than one YAML document" },
    { "policy: {a: [[[[[[[[[1]]]]]]]]]}", "policy: line 1: a list nested deeper than 8 levels" },
    { "policy: {", "policy: invalid YAML at line 2 column 1: did not find expected node content" },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      _cleanup_free_ char *msg = parse_error (cases[i].text);
      is_str (msg, cases[i].want, "refused: %s", cases[i].want);
    }

  /* Huge documents are refused before parsing. */
  size_t n = 300 * 1024;
  _cleanup_free_ char *big = xmalloc0 (n + 1);
  memset (big, ' ', n);
  memcpy (big, "policy: {}", 10);
  struct hr_policy *p = NULL;
  hr_err err = NULL;
  ok (hr_policy_parse (big, n, &p, &err) < 0 && err && strstr (err->msg, "larger than 262144 bytes"),
      "a document over 256 KiB is refused");
  hr_error_free (&err);
}

/* parse(to_json(p)) is p: the annotation carries the whole policy. */
static void
test_round_trip (void)
{
  static const char *const docs[] = {
    example,
    "policy: {}",
    "policy: {require: all, name: \"x \\\"q\\\"\", audit: {log_level: none, file: /var/log/hydra-runc/b, max_size_mb: 7, "
    "max_files: 0}}",
    "policy: {resource_limits: {max_cpu_cores: 1.5, max_network_mbps: 0.125}, access_controls: {allow_internet: "
    "true, allow_sudo: true, executable_paths: [/opt/bin]}}",
    "policy: {access_controls: {allow_internet: [\"pypi.org:443\", \"[::/0]:53\", \"0.0.0.0/0:*\"]}}",
    "policy: {access_controls: {allow_internet: []}}",
  };
  for (size_t i = 0; i < sizeof (docs) / sizeof (docs[0]); i++)
    {
      _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (docs[i]);
      _cleanup_ (hr_policy_freep) struct hr_policy *q = NULL;
      _cleanup_free_ char *j1 = NULL, *j2 = NULL;
      if (p == NULL)
        {
          ok (0, "round trip %zu: parse", i);
          continue;
        }
      j1 = hr_policy_to_json (p);
      q = parse (j1);
      j2 = q ? hr_policy_to_json (q) : NULL;
      is_str (j2, j1, "round trip %zu: canonical JSON is a fixed point", i);
      ok (q && q->cpu_millicores == p->cpu_millicores && q->memory_bytes == p->memory_bytes && q->pids == p->pids
              && q->network_kbit == p->network_kbit && q->internet == p->internet && q->n_allow == p->n_allow
              && q->sudo == p->sudo && q->n_writable == p->n_writable && q->n_blocked == p->n_blocked
              && q->n_exec == p->n_exec && q->audit == p->audit && q->monitor_files == p->monitor_files
              && q->monitor_network == p->monitor_network && q->audit_max_bytes == p->audit_max_bytes
              && q->audit_keep == p->audit_keep && q->require_all == p->require_all
              && !!q->audit_file == !!p->audit_file && !!q->name == !!p->name
              && (!p->name || !strcmp (p->name, q->name)),
          "round trip %zu: the same policy", i);
      for (size_t k = 0; q && k < p->n_allow && k < q->n_allow; k++)
        ok (!strcmp (p->allow[k].text, q->allow[k].text) && p->allow[k].family == q->allow[k].family
                && !memcmp (p->allow[k].addr, q->allow[k].addr, 16) && p->allow[k].prefix == q->allow[k].prefix
                && p->allow[k].port == q->allow[k].port,
            "round trip %zu: destination %zu", i, k);
    }
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (example);
  _cleanup_free_ char *j = hr_policy_to_json (p);
  is_str (j,
          "{\"policy\":{\"name\":\"restricted-coding\",\"require\":\"best-effort\",\"resource_limits\":{"
          "\"max_cpu_cores\":2,\"max_memory_mb\":4096,\"max_pids\":512,\"max_network_mbps\":10},"
          "\"access_controls\":{\"allow_internet\":false,\"allow_sudo\":false,\"writable_paths\":[\"/workspace\","
          "\"/tmp\"],\"blocked_commands\":[\"curl\",\"wget\",\"nc\"],\"executable_paths\":[\"/bin\",\"/sbin\","
          "\"/usr/bin\",\"/usr/sbin\",\"/usr/local/bin\",\"/usr/libexec\",\"/lib\",\"/lib64\",\"/usr/lib\","
          "\"/usr/lib64\"]},\"audit\":{\"log_level\":\"detailed\",\"monitor_files\":true,\"monitor_network\":true,"
          "\"max_size_mb\":100,\"max_files\":5}}}",
          "the example's canonical JSON");
}

static char *
config_json (const oci_config *c)
{
  char *s = NULL;
  hr_err err = NULL;
  if (oci_config_to_json (c, false, &s, NULL, &err) < 0)
    hr_error_free (&err);
  return s;
}

static const oci_mount *
mount_at (const oci_config *c, const char *dest)
{
  const oci_mount *m = NULL;
  for (size_t i = 0; i < c->mounts_len; i++)
    if (!strcmp (c->mounts[i]->destination, dest))
      m = c->mounts[i];
  return m;
}

static bool
has_opt (const oci_mount *m, const char *o)
{
  for (size_t i = 0; m && i < m->options_len; i++)
    if (!strcmp (m->options[i], o))
      return true;
  return false;
}

static size_t
count_netns (const oci_config *c)
{
  size_t n = 0;
  for (size_t i = 0; i < c->linux_->namespaces_len; i++)
    n += c->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK;
  return n;
}

static void
test_apply (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (example);
  _cleanup_ (oci_config_freep) oci_config *c = oci_config_default (false, false);
  _cleanup_free_ char *once = NULL, *twice = NULL, *pj = NULL;
  hr_err err = NULL;

  /* no network namespace in the config: the policy adds one */
  for (size_t i = 0; i < c->linux_->namespaces_len; i++)
    if (c->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
      c->linux_->namespaces[i]->type = OCI_NAMESPACE_TYPE_UTS;
  ok (hr_policy_apply (p, c, &err) == 0, "apply the example");
  ok (c->root->readonly && c->root->readonly_present, "root.readonly");
  const oci_mount *w = mount_at (c, "/workspace"), *t = mount_at (c, "/tmp");
  ok (w && !strcmp (w->type, "tmpfs") && has_opt (w, "noexec") && has_opt (w, "nosuid") && has_opt (w, "nodev")
          && has_opt (w, "mode=1777"),
      "/workspace: tmpfs nosuid,nodev,noexec,mode=1777");
  ok (t && !strcmp (t->type, "tmpfs") && has_opt (t, "noexec"), "/tmp: tmpfs noexec");
  const oci_capabilities *caps = c->process->capabilities;
  ok (caps->bounding && caps->bounding_len == 0 && caps->effective_len == 0 && caps->permitted_len == 0
          && caps->inheritable_len == 0 && caps->ambient && caps->ambient_len == 0,
      "every capability set present and empty");
  ok (c->process->no_new_privileges && c->process->no_new_privileges_present, "noNewPrivileges");
  const oci_linux_resources *r = c->linux_->resources;
  ok (r->cpu->quota == 200000 && r->cpu->period == 100000, "cpu quota 200000 per 100000");
  is_int (r->memory->limit, 4096ll << 20, "memory limit");
  is_int (r->pids->limit, 512, "pids limit");
  const oci_seccomp *s = c->linux_->seccomp;
  ok (s && s->default_action == OCI_SECCOMP_ACTION_ERRNO && s->default_errno_ret == 1, "seccomp: deny (EPERM) by default");
  bool landlock = false, curl_like = false, ptrace = false, clone_checked = false;
  for (size_t i = 0; s && i < s->syscalls_len; i++)
    for (size_t n = 0; n < s->syscalls[i]->names_len; n++)
      {
        const char *name = s->syscalls[i]->names[n];
        bool allow = s->syscalls[i]->action == OCI_SECCOMP_ACTION_ALLOW;
        landlock |= allow && !strcmp (name, "landlock_restrict_self");
        curl_like |= allow && !strcmp (name, "connect");
        ptrace |= allow && (!strcmp (name, "ptrace") || !strcmp (name, "unshare") || !strcmp (name, "io_uring_setup"));
        clone_checked |= allow && !strcmp (name, "clone") && s->syscalls[i]->args_len == 1;
      }
  ok (landlock && curl_like, "seccomp allows landlock_* and connect");
  ok (!ptrace, "seccomp does not allow ptrace, unshare, io_uring");
  ok (clone_checked, "clone is allowed only without namespace flags");
  is_int (count_netns (c), 1, "a new network namespace");
  pj = hr_policy_to_json (p);
  is_str (oci_string_map_get (&c->annotations, HR_POLICY_ANNOTATION), pj, "the annotation is the canonical JSON");

  /* Idempotent: create lowers again what spec --policy wrote. */
  once = config_json (c);
  ok (hr_policy_apply (p, c, &err) == 0, "apply again");
  twice = config_json (c);
  is_str (twice, once, "applying twice is applying once");

  /* ... and lowering the config's own annotation gives the same. */
  struct hr_policy *back = NULL;
  ok (hr_policy_from_config (c, &back, &err) == 0 && back != NULL, "from_config reads the annotation");
  if (back)
    {
      hr_policy_apply (back, c, &err);
      _cleanup_free_ char *thrice = config_json (c);
      is_str (thrice, once, "lowering the annotation's policy changes nothing");
      hr_policy_free (back);
    }
  hr_error_free (&err);
}

static void
test_apply_keeps_stricter (void)
{
  _cleanup_ (hr_policy_freep) struct hr_policy *p = parse (example);
  _cleanup_ (hr_policy_freep) struct hr_policy *sudo = parse ("policy: {access_controls: {allow_sudo: true, "
                                                              "allow_internet: true}}");
  _cleanup_ (oci_config_freep) oci_config *c = NULL;
  hr_err err = NULL;
  const char *engine = "{\"ociVersion\": \"1.3.0\", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],"
                       " \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}},"
                       " \"root\": {\"path\": \"rootfs\"},"
                       " \"mounts\": [{\"destination\": \"/workspace/\", \"type\": \"bind\", \"source\": \"/srv/w\","
                       "   \"options\": [\"rbind\", \"ro\", \"exec\", \"suid\"]}],"
                       " \"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/var/run/netns/cni-1\"}],"
                       "   \"resources\": {\"cpu\": {\"quota\": 25000, \"period\": 50000},"
                       "     \"memory\": {\"limit\": 1073741824}, \"pids\": {\"limit\": 100}},"
                       "   \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                       "     \"action\": \"SCMP_ACT_ALLOW\"}]}}}";
  ok (oci_config_parse_data (engine, strlen (engine), "config.json", &c, &err) == 0, "an engine's config");
  if (c == NULL)
    return;
  ok (hr_policy_apply (p, c, &err) == 0, "apply");
  const oci_linux_resources *r = c->linux_->resources;
  ok (r->cpu->quota == 25000 && r->cpu->period == 50000, "a smaller cpu share (0.5 core) is kept");
  is_int (r->memory->limit, 1ll << 30, "a lower memory limit is kept");
  is_int (r->pids->limit, 100, "a lower pids limit is kept");
  const oci_mount *w = mount_at (c, "/workspace/");
  ok (w && !strcmp (w->type, "bind") && !has_opt (w, "ro") && !has_opt (w, "exec") && !has_opt (w, "suid")
          && has_opt (w, "noexec") && has_opt (w, "nosuid") && has_opt (w, "nodev") && has_opt (w, "rnoexec"),
      "the engine's bind at a writable path: writable, noexec (recursively)");
  ok (mount_at (c, "/workspace") == NULL, "no second mount at /workspace");
  ok (count_netns (c) == 1 && c->linux_->namespaces[0]->path, "a network namespace joined by path is kept");
  ok (c->linux_->seccomp->syscalls_len == 1, "a deny-by-default profile is kept");

  /* looser limits are tightened */
  c->linux_->resources->cpu->quota = 400000;
  c->linux_->resources->cpu->period = 100000;
  c->linux_->resources->pids->limit = 0; /* unlimited */
  ok (hr_policy_apply (p, c, &err) == 0, "apply to looser limits");
  ok (r->cpu->quota == 200000 && r->cpu->period == 100000, "a larger cpu share is lowered");
  is_int (r->pids->limit, 512, "no pids limit gets the policy's");

  /* an allow-by-default profile is replaced; with an agent it is refused */
  c->linux_->seccomp->default_action = OCI_SECCOMP_ACTION_ALLOW;
  ok (hr_policy_apply (p, c, &err) == 0 && c->linux_->seccomp->default_action == OCI_SECCOMP_ACTION_ERRNO
          && c->linux_->seccomp->syscalls_len > 1,
      "an allow-by-default profile is replaced");
  c->linux_->seccomp->default_action = OCI_SECCOMP_ACTION_ALLOW;
  c->linux_->seccomp->listener_path = xstrdup ("/run/agent.sock");
  ok (hr_policy_apply (p, c, &err) < 0 && err && strstr (err->msg, "seccomp agent"), "... unless it has an agent");
  hr_error_free (&err);

  /* allow_sudo and allow_internet true leave capabilities and network */
  _cleanup_ (oci_config_freep) oci_config *d = oci_config_default (false, false);
  size_t nns = d->linux_->namespaces_len;
  ok (hr_policy_apply (sudo, d, &err) == 0, "apply allow_sudo/allow_internet true");
  ok (d->process->capabilities->bounding_len == 3, "capabilities kept with allow_sudo");
  is_int (d->linux_->namespaces_len, nns, "no namespace added with allow_internet true");
}

int
main (void)
{
  test_example ();
  test_defaults ();
  test_scalars ();
  test_allow_list ();
  test_errors ();
  test_resolve ();
  test_round_trip ();
  test_apply ();
  test_apply_keeps_stricter ();
  return tap_done ();
}
