/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 device filter: see ebpf.h. */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "cgroups/ebpf.h"
#include "log.h"
#include "util.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN (BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) INSN (BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
/* 32-bit compares: major/minor are u32, an imm above INT32_MAX would be
   sign-extended by a 64-bit compare. */
#define JNE32_IMM(dst, imm, off) INSN (BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE32_REG(dst, src, off) INSN (BPF_JMP32 | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT_INSN() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

void
hr_bpf_prog_free (struct hr_bpf_prog *p)
{
  if (p == NULL)
    return;
  free (p->insns);
  free (p);
}

static void
emit (struct hr_bpf_prog *p, struct bpf_insn insn)
{
  p->insns = xrealloc (p->insns, (p->len + 1) * sizeof *p->insns);
  p->insns[p->len++] = insn;
}

static void
emit_rule (struct hr_bpf_prog *p, const struct hr_dev_rule *r)
{
  bool check_type = r->type != 'a';
  bool check_access = (r->access & HR_DEV_ACC_ALL) != HR_DEV_ACC_ALL;
  bool check_major = r->major != HR_DEV_WILDCARD;
  bool check_minor = r->minor != HR_DEV_WILDCARD;
  /* Instructions of the block; a jump's offset is counted from the next
     instruction, so "skip to the next block" is (block end - here - 1). */
  int len = check_type + 3 * check_access + check_major + check_minor + 2;
  int at = 0;

  if (check_type)
    {
      emit (p, JNE32_IMM (BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, len - at - 1));
      at++;
    }
  if (check_access)
    {
      emit (p, MOV32_REG (BPF_REG_1, BPF_REG_3));
      emit (p, ALU32_IMM (BPF_AND, BPF_REG_1, (int32_t) r->access));
      at += 2;
      emit (p, JNE32_REG (BPF_REG_1, BPF_REG_3, len - at - 1));
      at++;
    }
  if (check_major)
    {
      emit (p, JNE32_IMM (BPF_REG_4, (int32_t) (uint32_t) r->major, len - at - 1));
      at++;
    }
  if (check_minor)
    {
      emit (p, JNE32_IMM (BPF_REG_5, (int32_t) (uint32_t) r->minor, len - at - 1));
      at++;
    }
  emit (p, ALU32_IMM (BPF_MOV, BPF_REG_0, r->allow ? 1 : 0));
  emit (p, EXIT_INSN ());
}

struct hr_bpf_prog *
hr_ebpf_devices_prog (const struct hr_dev_state *s)
{
  struct hr_bpf_prog *p = xmalloc0 (sizeof *p);

  /* struct bpf_cgroup_dev_ctx: access_type at 0 (type low 16 bits, access
     high 16), major at 4, minor at 8. */
  emit (p, LDX_W (BPF_REG_2, BPF_REG_1, 0));
  emit (p, ALU32_IMM (BPF_AND, BPF_REG_2, 0xffff));
  emit (p, LDX_W (BPF_REG_3, BPF_REG_1, 0));
  emit (p, ALU32_IMM (BPF_RSH, BPF_REG_3, 16));
  emit (p, LDX_W (BPF_REG_4, BPF_REG_1, 4));
  emit (p, LDX_W (BPF_REG_5, BPF_REG_1, 8));
  for (size_t i = 0; i < s->len; i++)
    emit_rule (p, &s->rules[i]);
  emit (p, ALU32_IMM (BPF_MOV, BPF_REG_0, s->default_allow ? 1 : 0));
  emit (p, EXIT_INSN ());
  return p;
}

static int
prog_id (int fd, __u32 *id, hr_err *err)
{
  struct bpf_prog_info info = { 0 };
  __u32 len = sizeof info;

  if (bpf_obj_get_info_by_fd (fd, &info, &len) < 0)
    return hr_error_set (err, errno, "bpf prog info");
  *id = info.id;
  return 0;
}

int
hr_ebpf_set_devices (const char *dir, const struct hr_dev_state *s, hr_err *err)
{
  _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *prog = hr_ebpf_devices_prog (s);
  _cleanup_close_ int cgfd = -1, progfd = -1;
  _cleanup_free_ char *log = xmalloc0 (1 << 16);
  __u32 ids[64], cnt = 64, flags = 0, mine = 0;
  LIBBPF_OPTS (bpf_prog_load_opts, opts, .log_buf = log, .log_size = 1 << 16, .log_level = 0);

  cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return hr_error_set (err, errno, "open %s", dir);

  progfd = bpf_prog_load (BPF_PROG_TYPE_CGROUP_DEVICE, "hydra_devices", "Apache", prog->insns, prog->len, &opts);
  if (progfd < 0)
    {
      int e = errno;
      /* Rerun with the verifier's log to say why. */
      opts.log_level = 1;
      int fd = bpf_prog_load (BPF_PROG_TYPE_CGROUP_DEVICE, "hydra_devices", "Apache", prog->insns, prog->len,
                              &opts);
      if (fd >= 0)
        close (fd);
      return hr_error_set (err, e, "load device filter (%zu insns)%s%s", prog->len, log[0] ? ": " : "", log);
    }
  if (prog_id (progfd, &mine, err) < 0)
    return -1;

  /* Attach the new one first, then detach the old ones: no window where
     the container is unrestricted or fully denied. */
  if (bpf_prog_attach (progfd, cgfd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) < 0)
    return hr_error_set (err, errno, "attach device filter to %s", dir);

  if (bpf_prog_query (cgfd, BPF_CGROUP_DEVICE, 0, &flags, ids, &cnt) < 0)
    return hr_error_set (err, errno, "query device filters of %s", dir);
  for (__u32 i = 0; i < cnt; i++)
    {
      if (ids[i] == mine)
        continue;
      _cleanup_close_ int old = bpf_prog_get_fd_by_id (ids[i]);
      if (old < 0)
        {
          if (errno == ENOENT)
            continue;
          return hr_error_set (err, errno, "get device filter %u", ids[i]);
        }
      if (bpf_prog_detach2 (old, cgfd, BPF_CGROUP_DEVICE) < 0 && errno != ENOENT)
        return hr_error_set (err, errno, "detach old device filter %u from %s", ids[i], dir);
      hr_debug ("devices: replaced device filter %u by %u on %s", ids[i], mine, dir);
    }
  return 0;
}
