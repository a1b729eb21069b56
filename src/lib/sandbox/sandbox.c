/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sandboxed container at create and delete (sandbox.h).  The policy's
 * standard part is in the config already (policy_lower.c) and Landlock is
 * a plan step; what is left needs the created container: its network
 * namespace with its interfaces (bandwidth), its mounted rootfs (which
 * files are the blocked commands), its cgroup (the eBPF programs).
 *
 * The rule: degrade by feature, never silently.  Every rule of
 * the policy gets a line in the report saying which mechanism enforces it
 * here, or that none does and why; the report goes to the state dir
 * (sandbox.json), to stderr as warnings, and first into the audit stream.
 */
#include <config.h>
#include "sandbox/sandbox.h"
#include "sandbox/audit.h"
#include "sandbox/blocked.h"
#include "sandbox/sandbox_bpf.h"
#include "cgroups/cgroups.h"
#include "kernel/landlock.h"
#include "kernel/bandwidth.h"
#include "state/state.h"
#include "json.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
hr_sandbox_report_add (struct hr_sandbox_report *r, const char *rule, const char *mechanism, bool enforced,
                       const char *fmt, ...)
{
  va_list ap;
  struct hr_sandbox_item *it;

  r->items = xrealloc (r->items, (r->n + 1) * sizeof (*r->items));
  it = &r->items[r->n++];
  it->rule = xstrdup (rule);
  it->mechanism = xstrdup (mechanism);
  it->enforced = enforced;
  it->detail = NULL;
  if (fmt)
    {
      va_start (ap, fmt);
      if (vasprintf (&it->detail, fmt, ap) < 0)
        it->detail = NULL;
      va_end (ap);
    }
}

void
hr_sandbox_report_clear (struct hr_sandbox_report *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      free (r->items[i].rule);
      free (r->items[i].mechanism);
      free (r->items[i].detail);
    }
  free (r->items);
  r->items = NULL;
  r->n = 0;
}

const struct hr_sandbox_item *
hr_sandbox_report_missing (const struct hr_sandbox_report *r)
{
  for (size_t i = 0; i < r->n; i++)
    if (!r->items[i].enforced)
      return &r->items[i];
  return NULL;
}

static void
put (json_value *o, const char *k, const char *v)
{
  json_object_append (o, k, strlen (k), json_new_string (v ? v : ""));
}

char *
hr_sandbox_report_json (const struct hr_policy *p, const struct hr_sandbox_report *r)
{
  _cleanup_ (json_freep) json_value *o = json_new_object ();
  json_value *yes = json_new_array (), *no = json_new_array ();
  char *out = NULL;
  size_t len;
  hr_err err = NULL;

  put (o, "policy", p->name);
  put (o, "require", p->require_all ? "all" : "best-effort");
  for (size_t i = 0; i < r->n; i++)
    {
      json_value *it = json_new_object ();
      put (it, "rule", r->items[i].rule);
      put (it, "mechanism", r->items[i].mechanism);
      if (r->items[i].detail)
        put (it, r->items[i].enforced ? "detail" : "reason", r->items[i].detail);
      json_array_append (r->items[i].enforced ? yes : no, it);
    }
  json_object_append (o, "enforced", 8, yes);
  json_object_append (o, "not_enforced", 12, no);
  if (json_emit (o, false, &out, &len, &err) < 0)
    {
      hr_error_free (&err);
      return xstrdup ("{}");
    }
  return out;
}

/* The standard fields the lowering set: checked on the config as it is
   now (an engine's config may have had stricter ones), not assumed. */
static void
report_config (const struct hr_sandbox_setup *s, struct hr_sandbox_report *r)
{
  const struct hr_policy *p = s->policy;
  const oci_config *c = s->config;
  const oci_linux *lx = c->linux_;

  hr_sandbox_report_add (r, "writable_paths", "read-only rootfs, tmpfs mounts with noexec", c->root && c->root->readonly,
                         NULL);
  if (!p->sudo)
    hr_sandbox_report_add (r, "allow_sudo", "no capabilities, no_new_privs",
                           c->process && c->process->no_new_privileges, NULL);
  hr_sandbox_report_add (r, "seccomp", "seccomp default-deny", lx && lx->seccomp != NULL, NULL);
  if (p->cpu_millicores || p->memory_bytes || p->pids)
    {
      const char *need[] = { p->cpu_millicores ? "cpu" : NULL, p->memory_bytes ? "memory" : NULL,
                             p->pids ? "pids" : NULL };
      for (size_t i = 0; i < 3; i++)
        if (need[i])
          {
            bool have = s->cgroup && hr_cgroup_dir_of (s->cgroup, need[i]) != NULL;
            hr_sandbox_report_add (r, "resource_limits", "cgroup", have, have ? "%s" : "no %s cgroup (rootless?)",
                                   need[i]);
          }
    }
  if (!p->internet && p->n_allow == 0)
    {
      bool fresh = false;
      for (size_t i = 0; lx && i < lx->namespaces_len; i++)
        if (lx->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
          fresh = lx->namespaces[i]->path == NULL || *lx->namespaces[i]->path == '\0';
      hr_sandbox_report_add (r, "allow_internet", "network namespace with loopback only", fresh,
                             fresh ? NULL : "the container joins a network namespace: only the eBPF filter holds");
    }
}

/* Landlock's part, as the init's step computes it (landlock.c), one line
   per feature the policy asks for. */
static void
report_landlock (const struct hr_sandbox_setup *s, struct hr_sandbox_report *r)
{
  static const char *const rule_of[HR_LL_N] = {
    [HR_LL_FS_WRITE] = "writable_paths", [HR_LL_EXEC] = "executable_paths", [HR_LL_REFER] = "writable_paths",
    [HR_LL_TRUNCATE] = "writable_paths", [HR_LL_TCP_CONNECT] = "allow_internet", [HR_LL_TCP_BIND] = "allow_internet",
    [HR_LL_IOCTL_DEV] = "writable_paths", [HR_LL_SCOPE_ABSTRACT_UNIX] = "scoping", [HR_LL_SCOPE_SIGNAL] = "scoping",
  };
  struct hr_landlock_masks m;
  struct hr_landlock_report ll;
  int abi = hr_landlock_abi ();

  hr_landlock_lower (abi, s->policy, &m, &ll);
  for (int f = 0; f < HR_LL_N; f++)
    {
      if (ll.state[f] == HR_LL_NOT_ASKED)
        continue;
      _cleanup_free_ char *mech = xasprintf ("landlock %s", hr_landlock_feature_name (f));
      if (ll.state[f] == HR_LL_ENFORCED)
        hr_sandbox_report_add (r, rule_of[f], mech, true, "ABI %d", abi);
      else
        hr_sandbox_report_add (r, rule_of[f], mech, false, "%s", ll.why[f] ? ll.why[f] : "unavailable");
    }
}

static void
report_bpf (const struct hr_sandbox_setup *s, const struct hr_bpf_features *f, const char *why, size_t n_blocked,
            struct hr_sandbox_report *r)
{
  const struct hr_policy *p = s->policy;
  bool up = why == NULL;

  if (p->n_blocked && up)
    hr_sandbox_report_add (r, "blocked_commands", "ebpf exec guard", f->tracepoints,
                           "%zu file(s) in the executable paths; %s", n_blocked,
                           f->bpf_lsm ? "refused by the BPF LSM" : "killed at exec (no BPF LSM)");
  else if (p->n_blocked)
    hr_sandbox_report_add (r, "blocked_commands", "ebpf exec guard", false, "%s", why);
  /* Landlock and noexec do not cover a file on an internal filesystem:
     the guard's memfd rule does (sandbox.bpf.c) */
  if (p->n_exec)
    hr_sandbox_report_add (r, "executable_paths", "ebpf exec guard (memfd)", up && f->tracepoints, "%s",
                           up ? (f->bpf_lsm ? "denied by bpf lsm" : "killed at exec") : why);
  if (!p->internet)
    hr_sandbox_report_add (r, "allow_internet", "ebpf cgroup connect/sendmsg", up && f->sock_addr, "%s",
                           up ? (p->n_allow ? "allow-list" : "deny all but loopback") : why);
  if (p->audit != HR_AUDIT_OFF)
    {
      hr_sandbox_report_add (r, "audit", "ebpf tracepoints (exec, exit, privilege, violations)", up && f->tracepoints,
                             up ? NULL : "%s", why);
      if (p->monitor_network)
        hr_sandbox_report_add (r, "audit.monitor_network", "ebpf cgroup sock_addr", up && f->sock_addr,
                               up ? NULL : "%s", why);
      if (p->monitor_files)
        hr_sandbox_report_add (r, "audit.monitor_files", "ebpf syscall tracepoints", up && f->tracepoints,
                               up ? NULL : "%s", why);
    }
}

static bool
needs_bpf (const struct hr_policy *p)
{
  return p->audit != HR_AUDIT_OFF || !p->internet || p->n_blocked;
}

int
hr_sandbox_start (const struct hr_sandbox_setup *s, hr_err *err)
{
  const struct hr_policy *p = s->policy;
  struct hr_sandbox_report r = { 0 };
  _cleanup_free_ struct hr_blocked_exe *blocked = NULL;
  _cleanup_free_ char *json = NULL, *why = NULL;
  _cleanup_close_ int rootfd = -1;
  size_t n_blocked = 0;
  struct hr_bpf_features f = { 0 };
  pid_t audit_pid = 0;
  int ret = -1;

  report_config (s, &r);
  if (p->network_kbit)
    {
      hr_err e = NULL;
      int n = hr_bandwidth_apply (s->init_pid, p->network_kbit, &e);
      if (n < 0)
        {
          hr_sandbox_report_add (&r, "max_network_mbps", "tc", false, "%s", e->msg);
          hr_error_free (&e);
        }
      else if (n == 0)
        /* Only loopback: nothing leaves the container to be limited. */
        hr_sandbox_report_add (&r, "max_network_mbps", "tc", true, "no interface but loopback");
      else
        hr_sandbox_report_add (&r, "max_network_mbps", "tc", true, "%llu kbit/s on %d interface(s)",
                               (unsigned long long) p->network_kbit, n);
    }
  if (p->n_blocked)
    {
      /* The files as the container has them: through its root, every
         lookup RESOLVE_IN_ROOT (blocked.c). */
      _cleanup_free_ char *root = xasprintf ("/proc/%d/root", (int) s->init_pid);
      rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0)
        {
          hr_error_set (err, errno, "open the container's root");
          goto out;
        }
      if (hr_blocked_scan_policy (rootfd, p, &blocked, &n_blocked, err) < 0)
        goto out;
    }
  report_landlock (s, &r);
  if (needs_bpf (p))
    {
      const char *cg2 = s->cgroup ? hr_cgroup_dir_of (s->cgroup, "") : NULL;
      if (s->rootless)
        why = xstrdup ("eBPF needs root on the host (rootless container)");
      else if (cg2 == NULL)
        why = xstrdup ("the container has no cgroup2 directory to attach eBPF to");
      else
        {
          /* The stream's first line is the report as it stands without
             eBPF's own lines: those are known once it is loaded. */
          _cleanup_free_ char *pre = hr_sandbox_report_json (p, &r);
          struct hr_audit_args a = { .state_dirfd = s->state_dirfd, .id = s->id, .policy = p, .cgroup2_dir = cg2, .rootfd = rootfd,
                                     .blocked = blocked, .n_blocked = n_blocked, .report_json = pre };
          hr_err e = NULL;
          if (hr_audit_start (&a, &audit_pid, &f, &e) < 0)
            {
              why = xstrdup (e->msg);
              hr_error_free (&e);
            }
        }
      report_bpf (s, &f, why, n_blocked, &r);
    }
  json = hr_sandbox_report_json (p, &r);
  if (hr_state_write_file (s->state_dirfd, HR_SANDBOX_REPORT, json, strlen (json), err) < 0)
    goto out;
  /* (under require: all the refusal below says it, once) */
  for (size_t i = 0; !p->require_all && i < r.n; i++)
    if (!r.items[i].enforced)
      hr_warn ("sandbox: %s is not enforced by %s: %s", r.items[i].rule, r.items[i].mechanism,
               r.items[i].detail ? r.items[i].detail : "unavailable");
  const struct hr_sandbox_item *miss = hr_sandbox_report_missing (&r);
  if (p->require_all && miss)
    {
      hr_error_plain (err, ENOTSUP, "policy %s requires every rule enforced: %s is not (%s: %s)", p->name ? p->name : "",
                      miss->rule, miss->mechanism, miss->detail ? miss->detail : "unavailable");
      goto out;
    }
  ret = 0;
out:
  if (ret < 0 && audit_pid > 0)
    {
      hr_err e = NULL;
      if (hr_audit_stop (s->state_dirfd, &e) < 0)
        hr_error_free (&e);
    }
  hr_sandbox_report_clear (&r);
  return ret;
}

int
hr_sandbox_stop (int state_dirfd, hr_err *err)
{
  return hr_audit_stop (state_dirfd, err);
}
