/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `spec`, `features` and the library versions.  features claims only what
 * works today (runtime-spec features.md: engines such as containerd and
 * CRI-O gate behaviour on it), and grows with each mechanism that lands.
 */
#include <config.h>
#include "hydra.h"
#include "kernel/caps.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "kernel/lsm.h"
#include "kernel/mount_opts.h"
#include "kernel/namespaces.h"
#include "oci.h"
#include "sandbox/policy.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_version.h>
#include <bpf/libbpf.h>

int
hr_spec_json (bool rootless, char **json, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg
      = oci_config_default (rootless, hr_cgroup_ns_by_default (hr_cgroup_layout ()));
  if (cfg == NULL)
    return hr_error_plain (err, ENOMEM, "build default config");
  return oci_config_to_json (cfg, true, json, NULL, err);
}

int
hr_spec_policy_json (bool rootless, const char *policy_file, char **json, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg
      = oci_config_default (rootless, hr_cgroup_ns_by_default (hr_cgroup_layout ()));
  _cleanup_ (hr_policy_freep) struct hr_policy *pol = NULL;
  _cleanup_free_ char *text = NULL;
  _cleanup_close_ int fd = -1;
  size_t len;

  if (cfg == NULL)
    return hr_error_plain (err, ENOMEM, "build default config");
  fd = open (policy_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open policy `%s`", policy_file);
  /* Bounded read; hr_policy_parse refuses anything over its own cap. */
  if (hr_read_all (fd, 1024 * 1024, &text, &len, err) < 0)
    return hr_error_wrap (err, "read policy `%s`", policy_file);
  if (hr_policy_parse (text, len, &pol, err) < 0 || hr_policy_apply (pol, cfg, err) < 0)
    return hr_error_wrap (err, "%s", policy_file);
  return oci_config_to_json (cfg, true, json, NULL, err);
}

static char **
strv_from (const char *const *src, size_t *len)
{
  size_t n = 0;
  char **v;
  while (src[n])
    n++;
  v = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    v[i] = xstrdup (src[i]);
  *len = n;
  return v;
}

/* A copy of n enumeration values (F_ENUMV fields). */
static int *
enumv_from (const int *src, size_t n, size_t *len)
{
  int *v = xmalloc0 ((n ? n : 1) * sizeof (int));
  memcpy (v, src, n * sizeof (int));
  *len = n;
  return v;
}

/* Every value of an enumeration, in declaration order. */
static int *
enumv_all (enum oci_enum which, size_t *len)
{
  const char *const *names = oci_enum_values (which);
  size_t n = 0;
  while (names[n])
    n++;
  int *v = xmalloc0 ((n ? n : 1) * sizeof (int));
  for (size_t i = 0; i < n; i++)
    v[i] = (int) i;
  *len = n;
  return v;
}

static oci_features_enabled *
enabled (bool on)
{
  oci_features_enabled *e = xmalloc0 (sizeof (*e));
  e->enabled = on;
  e->enabled_present = true;
  return e;
}

int
hr_features_json (char **json, hr_err *err)
{
  /* Namespaces hydra-runc creates and joins today. */
  static const int namespaces[] = { OCI_NAMESPACE_TYPE_CGROUP, OCI_NAMESPACE_TYPE_IPC, OCI_NAMESPACE_TYPE_MOUNT,
                                    OCI_NAMESPACE_TYPE_NETWORK, OCI_NAMESPACE_TYPE_PID, OCI_NAMESPACE_TYPE_UTS,
                                    OCI_NAMESPACE_TYPE_USER, OCI_NAMESPACE_TYPE_TIME };
  static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                       "poststart", "poststop", NULL };
  _cleanup_ (oci_features_freep) oci_features *f = xmalloc0 (sizeof (*f));
  oci_features_linux *lx;

  f->oci_version_min = xstrdup (OCI_VERSION_MIN);
  f->oci_version_max = xstrdup (OCI_VERSION);
  f->hooks = strv_from (hooks, &f->hooks_len);
  f->mount_options = strv_from (hr_mount_opts_known (), &f->mount_options_len);

  lx = f->linux_ = xmalloc0 (sizeof (*lx));
  lx->namespaces = enumv_from (namespaces, sizeof (namespaces) / sizeof (namespaces[0]), &lx->namespaces_len);
  lx->capabilities = hr_caps_known ();
  lx->capabilities_len = strv_len (lx->capabilities);
  lx->cgroup = xmalloc0 (sizeof (*lx->cgroup));
  /* cgroupfs v1 (and hybrid) is exercised by the host suite; v2 by the
     VM lane (tests/vm). */
  lx->cgroup->v1 = true;
  lx->cgroup->v1_present = true;
  lx->cgroup->v2 = true;
  lx->cgroup->v2_present = true;
  /* The systemd driver (cgroup_systemd.c) works where systemd is PID 1;
     elsewhere --systemd-cgroup is refused, so do not claim it. */
  lx->cgroup->systemd = hr_cgroup_driver_select (true)->available ();
  lx->cgroup->systemd_present = true;
  lx->cgroup->systemd_user = false;
  lx->cgroup->systemd_user_present = true;
  lx->cgroup->rdma = false;
  lx->cgroup->rdma_present = true;
  lx->seccomp = xmalloc0 (sizeof (*lx->seccomp));
  {
    /* What seccomp.c implements: every action (NOTIFY with
       listenerPath, seccomp_notify.c), every operator, the x86 family
       (this build's architecture), every flag seccomp(2) takes for a
       filter. */
    static const int actions[] = { OCI_SECCOMP_ACTION_ALLOW, OCI_SECCOMP_ACTION_ERRNO,
                                   OCI_SECCOMP_ACTION_KILL, OCI_SECCOMP_ACTION_KILL_PROCESS,
                                   OCI_SECCOMP_ACTION_KILL_THREAD, OCI_SECCOMP_ACTION_LOG,
                                   OCI_SECCOMP_ACTION_NOTIFY, OCI_SECCOMP_ACTION_TRACE,
                                   OCI_SECCOMP_ACTION_TRAP };
    static const int archs[] = { OCI_SECCOMP_ARCH_X86, OCI_SECCOMP_ARCH_X86_64, OCI_SECCOMP_ARCH_X32 };
    static const int flags[] = { OCI_SECCOMP_FLAG_LOG, OCI_SECCOMP_FLAG_SPEC_ALLOW, OCI_SECCOMP_FLAG_TSYNC,
                                 OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV };
    lx->seccomp->enabled = true;
    lx->seccomp->actions = enumv_from (actions, sizeof (actions) / sizeof (actions[0]), &lx->seccomp->actions_len);
    lx->seccomp->operators = enumv_all (OCI_ENUM_SECCOMP_OPERATOR, &lx->seccomp->operators_len);
    lx->seccomp->archs = enumv_from (archs, sizeof (archs) / sizeof (archs[0]), &lx->seccomp->archs_len);
    lx->seccomp->known_flags = enumv_all (OCI_ENUM_SECCOMP_FLAG, &lx->seccomp->known_flags_len);
    lx->seccomp->supported_flags = enumv_from (flags, sizeof (flags) / sizeof (flags[0]),
                                               &lx->seccomp->supported_flags_len);
  }
  lx->seccomp->enabled_present = true;
  /* Labels are applied where the host runs the module, refused elsewhere
     (lsm.h). */
  lx->apparmor = enabled (hr_lsm_enabled (HR_LSM_APPARMOR));
  lx->selinux = enabled (hr_lsm_enabled (HR_LSM_SELINUX));
  lx->intel_rdt = enabled (false);
  /* linux.netDevices: moved at create (netdev.c). */
  lx->net_devices = enabled (true);
  lx->mount_extensions = xmalloc0 (sizeof (*lx->mount_extensions));
  /* mounts[].uidMappings/gidMappings and idmap/ridmap (mounts_special.c). */
  lx->mount_extensions->idmap = enabled (true);

  return oci_features_to_json (f, true, json, NULL, err);
}

const char *
hr_lib_versions (void)
{
  static char buf[256];
  const struct scmp_version *sv = seccomp_version ();
  snprintf (buf, sizeof (buf), "libseccomp: %u.%u.%u\nyajl: %d.%d.%d\nlibbpf: %u.%u", sv ? sv->major : 0,
            sv ? sv->minor : 0, sv ? sv->micro : 0, YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO, libbpf_major_version (),
            libbpf_minor_version ());
  return buf;
}
