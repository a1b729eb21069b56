/* SPDX-License-Identifier: Apache-2.0 */
/* A parsed policy as canonical JSON (what HR_POLICY_ANNOTATION carries:
   hr_policy_parse reads it back to the same policy) and the policy a
   config carries in that annotation (policy.h). */
#include <config.h>
#include "sandbox/policy.h"
#include "json.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* --- canonical JSON --------------------------------------------------- */

#define put(o, key, v) json_object_append ((o), (key), strlen (key), (v))

/* v / 1000 as the shortest decimal: 2000 -> "2", 500 -> "0.5". */
static json_value *
milli_number (uint64_t v)
{
  char buf[32];
  int n;
  if (v % 1000 == 0)
    n = snprintf (buf, sizeof (buf), "%llu", (unsigned long long) (v / 1000));
  else
    {
      n = snprintf (buf, sizeof (buf), "%llu.%03llu", (unsigned long long) (v / 1000),
                    (unsigned long long) (v % 1000));
      while (buf[n - 1] == '0')
        buf[--n] = '\0';
    }
  return json_new_number_raw (buf, (size_t) n);
}

/* Every integer of a policy is far below UINT64_MAX / 1000. */
#define u_number(v) milli_number ((uint64_t) (v) * 1000)

static json_value *
str_array (char *const *v, size_t n)
{
  json_value *a = json_new_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append (a, json_new_string (v[i]));
  return a;
}

char *
hr_policy_to_json (const struct hr_policy *p)
{
  _cleanup_ (json_freep) json_value *doc = json_new_object ();
  json_value *pol = json_new_object (), *v;
  char *out = NULL;
  size_t len;
  static const char *const levels[] = { "none", "basic", "detailed" };

  put (doc, "policy", pol);
  if (p->name)
    put (pol, "name", json_new_string (p->name));
  put (pol, "require", json_new_string (p->require_all ? "all" : "best-effort"));
  if (p->cpu_millicores || p->memory_bytes || p->pids || p->network_kbit)
    {
      v = json_new_object ();
      if (p->cpu_millicores)
        put (v, "max_cpu_cores", milli_number (p->cpu_millicores));
      if (p->memory_bytes)
        put (v, "max_memory_mb", u_number (p->memory_bytes >> 20));
      if (p->pids)
        put (v, "max_pids", u_number ((uint64_t) p->pids));
      if (p->network_kbit)
        put (v, "max_network_mbps", milli_number (p->network_kbit));
      put (pol, "resource_limits", v);
    }
  v = json_new_object ();
  if (p->internet || p->n_allow == 0)
    put (v, "allow_internet", json_new_bool (p->internet));
  else
    {
      json_value *a = json_new_array ();
      for (size_t i = 0; i < p->n_allow; i++)
        {
          /* hr_policy_resolve turns one name into an entry per address,
             each with the text as written: the document has it once. */
          bool seen = false;
          for (size_t j = 0; j < i && !seen; j++)
            seen = p->allow[i].host && !strcmp (p->allow[j].text, p->allow[i].text);
          if (!seen)
            json_array_append (a, json_new_string (p->allow[i].text));
        }
      put (v, "allow_internet", a);
    }
  put (v, "allow_sudo", json_new_bool (p->sudo));
  put (v, "writable_paths", str_array (p->writable, p->n_writable));
  put (v, "blocked_commands", str_array (p->blocked, p->n_blocked));
  put (v, "executable_paths", str_array (p->exec_paths, p->n_exec));
  put (pol, "access_controls", v);
  if (p->audit != HR_AUDIT_OFF || p->monitor_files || p->monitor_network || p->audit_file || p->audit_max_bytes
      || p->audit_keep)
    {
      v = json_new_object ();
      put (v, "log_level", json_new_string (levels[p->audit]));
      put (v, "monitor_files", json_new_bool (p->monitor_files));
      put (v, "monitor_network", json_new_bool (p->monitor_network));
      if (p->audit_file)
        put (v, "file", json_new_string (p->audit_file));
      put (v, "max_size_mb", u_number (p->audit_max_bytes >> 20));
      put (v, "max_files", u_number (p->audit_keep));
      put (pol, "audit", v);
    }
  if (json_emit (doc, false, &out, &len, NULL) < 0)
    abort (); /* only allocation can fail, and that aborts already */
  return out;
}

int
hr_policy_from_config (const oci_config *cfg, struct hr_policy **out, hr_err *err)
{
  const char *text = oci_string_map_get (&cfg->annotations, HR_POLICY_ANNOTATION);

  *out = NULL;
  if (text == NULL)
    return 0;
  if (hr_policy_parse (text, strlen (text), out, err) < 0)
    return hr_error_wrap (err, "annotation %s", HR_POLICY_ANNOTATION);
  return 0;
}
