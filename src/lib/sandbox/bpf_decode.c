/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's ring buffer records (bpf/sandbox_events.h) decoded into
   hr_audit_record: see bpf_decode.h. */
#include <config.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "sandbox/bpf/sandbox_events.h"
#include "sandbox/bpf_decode.h"


static const char *const sc_names[HR_SC_MAX] = {
  [HR_SC_SETUID] = "setuid", [HR_SC_SETGID] = "setgid", [HR_SC_SETREUID] = "setreuid",
  [HR_SC_SETREGID] = "setregid", [HR_SC_SETRESUID] = "setresuid", [HR_SC_SETRESGID] = "setresgid",
  [HR_SC_SETFSUID] = "setfsuid", [HR_SC_SETFSGID] = "setfsgid", [HR_SC_CAPSET] = "capset",
  [HR_SC_EXECVE] = "execve", [HR_SC_EXECVEAT] = "execveat", [HR_SC_OPEN] = "open",
  [HR_SC_OPENAT] = "openat", [HR_SC_OPENAT2] = "openat2", [HR_SC_CREAT] = "creat",
  [HR_SC_UNLINK] = "unlink", [HR_SC_UNLINKAT] = "unlinkat", [HR_SC_RMDIR] = "rmdir",
  [HR_SC_MKDIR] = "mkdir", [HR_SC_MKDIRAT] = "mkdirat", [HR_SC_RENAME] = "rename",
  [HR_SC_RENAMEAT] = "renameat", [HR_SC_RENAMEAT2] = "renameat2", [HR_SC_CONNECT] = "connect",
  [HR_SC_SENDMSG] = "sendmsg",
};

static const char *const rule_names[] = {
  [HR_RULE_WRITABLE] = "writable_paths", [HR_RULE_BLOCKED] = "blocked_commands",
  [HR_RULE_EXEC] = "executable_paths", [HR_RULE_INTERNET] = "allow_internet",
  [HR_RULE_SUDO] = "allow_sudo",
};

static const char *const op_names[] = {
  [HR_OP_CREATE] = "create", [HR_OP_MODIFY] = "modify", [HR_OP_DELETE] = "delete", [HR_OP_RENAME] = "rename",
};

/* Lexically clean an absolute path in place: "//", "/./" and "x/.."
   (a path the BPF side joined from a directory and a user string). */
void
hr_bpf_clean_path (char *p)
{
  char *out = p, *in = p;

  if (*p != '/')
    return;
  while (*in)
    {
      while (*in == '/')
        in++;
      if (*in == 0)
        break;
      size_t len = strcspn (in, "/");
      if (len == 1 && in[0] == '.')
        ;
      else if (len == 2 && in[0] == '.' && in[1] == '.')
        {
          while (out > p && *--out != '/')
            ;
        }
      else
        {
          *out++ = '/';
          memmove (out, in, len);
          out += len;
        }
      in += len;
    }
  if (out == p)
    *out++ = '/';
  *out = 0;
}

/* The record's path: a string as given, or the components the BPF side
   walked (leaf first) joined, with the string after them when it is
   relative to that directory. */
static void
build_path (struct hr_bpf_decoder *b, const struct hr_bpf_event *e)
{
  char given[HR_EV_PATH + 1];
  size_t len = 0;

  memcpy (given, e->path, HR_EV_PATH);
  given[HR_EV_PATH] = 0;
  b->path[0] = 0;
  if (!e->walked)
    {
      snprintf (b->path, sizeof b->path, "%s", given);
      if (e->type == HR_EV_VIOLATION || e->type == HR_EV_FILE)
        hr_bpf_clean_path (b->path);
      return;
    }
  if (e->truncated)
    len += snprintf (b->path + len, sizeof b->path - len, "/...");
  for (int i = e->n_comps < HR_EV_COMPS ? e->n_comps : HR_EV_COMPS; i-- > 0 && len < sizeof b->path;)
    len += snprintf (b->path + len, sizeof b->path - len, "/%.*s", HR_EV_COMP, e->comps[i]);
  if (given[0] && len < sizeof b->path)
    len += snprintf (b->path + len, sizeof b->path - len, "/%s", given);
  if (b->path[0] == 0)
    snprintf (b->path, sizeof b->path, "/");
  hr_bpf_clean_path (b->path);
}

static bool
monitored (const struct hr_bpf_decoder *b, const char *path)
{
  /* a path the walk could not make absolute is under no prefix */
  if (path[0] != '/')
    return false;
  for (size_t i = 0; i < b->n_monitored; i++)
    {
      const char *m = b->monitored[i];
      size_t n = strlen (m);
      while (n > 1 && m[n - 1] == '/')
        n--;
      if (n == 1 && m[0] == '/')
        return true;
      if (strncmp (path, m, n) == 0 && (path[n] == 0 || path[n] == '/'))
        return true;
    }
  return false;
}

static void
decode_addr (const struct hr_bpf_event *e, struct hr_audit_record *r)
{
  static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

  r->family = e->family;
  r->port = e->port;
  if (memcmp (e->addr, mapped, sizeof mapped) == 0)
    inet_ntop (AF_INET, &e->addr[12], r->addr, sizeof r->addr);
  else
    inet_ntop (AF_INET6, e->addr, r->addr, sizeof r->addr);
}

int
hr_bpf_decode (struct hr_bpf_decoder *b, const void *data, size_t size, struct hr_audit_record *out)
{
  const struct hr_bpf_event *e = data;
  struct hr_audit_record r;

  if (size < sizeof *e)
    return -1;
  memset (&r, 0, sizeof r);
  r.time_ns = e->ts + b->realtime_offset;
  r.pid = e->pid;
  r.ppid = e->ppid;
  r.ns_pid = e->ns_pid;
  r.ns_ppid = e->ns_ppid;
  r.uid = e->uid;
  r.gid = e->gid;
  memcpy (r.comm, e->comm, sizeof r.comm);
  r.comm[sizeof r.comm - 1] = 0;
  r.err = e->err;
  r.syscall = e->sc < HR_SC_MAX ? sc_names[e->sc] : NULL;

  build_path (b, e);
  r.path = b->path[0] ? b->path : NULL;

  switch (e->type)
    {
    case HR_EV_EXEC:
      r.type = HR_AUDIT_EXEC;
      if (b->detailed && e->args_len > 0 && e->args_len < sizeof b->args)
        {
          memcpy (b->args, e->args, e->args_len);
          b->args[e->args_len] = 0;
          size_t n = 0;
          for (size_t i = 0; i < e->args_len && n < HR_BPF_MAX_ARGV; i += strlen (b->args + i) + 1)
            b->argv[n++] = b->args + i;
          b->argv[n] = NULL;
          r.argv = b->argv;
          r.argc = n;
        }
      break;
    case HR_EV_EXIT:
      r.type = HR_AUDIT_EXIT;
      r.exit_code = e->exit_code;
      r.path = NULL;
      break;
    case HR_EV_CONNECT:
      r.type = HR_AUDIT_CONNECT;
      r.path = NULL;
      decode_addr (e, &r);
      r.allowed = e->allowed;
      break;
    case HR_EV_FILE:
      r.type = HR_AUDIT_FILE;
      r.op = e->op < sizeof op_names / sizeof *op_names ? op_names[e->op] : NULL;
      if (r.path == NULL || r.op == NULL || !monitored (b, r.path))
        return 0;
      break;
    case HR_EV_PRIV:
      r.type = HR_AUDIT_PRIV;
      r.path = NULL;
      r.new_id = e->new_id;
      break;
    case HR_EV_VIOLATION:
      r.type = HR_AUDIT_VIOLATION;
      r.rule = e->rule < sizeof rule_names / sizeof *rule_names ? rule_names[e->rule] : NULL;
      switch (e->rule)
        {
        case HR_RULE_BLOCKED:
          {
            char name[HR_EV_NAME + 1];
            memcpy (name, e->name, HR_EV_NAME);
            name[HR_EV_NAME] = 0;
            const char *how = e->how == HR_HOW_DENIED ? "denied" : "killed before it ran";
            if (strcmp (name, "?") == 0)
              snprintf (b->what, sizeof b->what, "exec of %s with arguments too long to check, %s",
                        r.path ? r.path : "?", how);
            else if (name[0])
              snprintf (b->what, sizeof b->what, "exec of %s as blocked command `%s` %s", r.path ? r.path : "?", name,
                        how);
            else
              snprintf (b->what, sizeof b->what, "exec of %s, the file of a blocked command, %s", r.path ? r.path : "?",
                        how);
            break;
          }
        case HR_RULE_EXEC:
          if (e->how == HR_HOW_NONE)
            goto denied_call;
          /* the guard's: a file on an internal filesystem */
          snprintf (b->what, sizeof b->what, "exec of an in-memory file (memfd), %s",
                    e->how == HR_HOW_DENIED ? "denied" : "killed before it ran");
          break;
        case HR_RULE_INTERNET:
          decode_addr (e, &r);
          r.path = NULL;
          snprintf (b->what, sizeof b->what, "%s to %s%s%s:%u denied", r.syscall ? r.syscall : "connect",
                    e->family == AF_INET6 ? "[" : "", r.addr, e->family == AF_INET6 ? "]" : "", r.port);
          break;
        case HR_RULE_SUDO:
          r.new_id = e->new_id;
          r.path = NULL;
          snprintf (b->what, sizeof b->what, "%s(%ld): %s", r.syscall ? r.syscall : "?", r.new_id, strerror (r.err));
          break;
        default:
        denied_call:
          snprintf (b->what, sizeof b->what, "%s %s%s: %s", r.syscall ? r.syscall : "?", r.path ? r.path : "?",
                    e->rule == HR_RULE_WRITABLE ? " for writing" : "", strerror (r.err));
        }
      r.what = b->what;
      break;
    default:
      return -1;
    }
  *out = r;
  return 1;
}

