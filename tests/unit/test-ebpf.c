/* SPDX-License-Identifier: Apache-2.0 */
/* Device rules: the emulator (devices_cgroup.c) and the cgroup v2 device
   filter generator (ebpf.c).  The generated programs are checked for shape
   (instruction count, jump targets) and run through a small interpreter of
   the instructions the generator uses. */
#include <config.h>
#include "tap.h"
#include "cgroups/devices_cgroup.h"
#include "cgroups/ebpf.h"
#include "error.h"

#include <stdint.h>

/* t: "a", "b", "c" or NULL (absent), as in config.json. */
#define R(a, t, ma, mi, acc) { .allow = (a), .allow_present = true, \
                               .type = oci_enum_index (OCI_ENUM_DEVICE_CGROUP_TYPE, (t)), \
                               .type_present = (t) != NULL, \
                               .major = (ma), .major_present = (ma) != -2, .minor = (mi), \
                               .minor_present = (mi) != -2, .access = (char *) (acc) }
#define ANY (-2) /* absent */

/* Interpreter for the generated subset.  ctx = {access_type, major, minor}. */
static int
run_prog (const struct hr_bpf_prog *p, unsigned type, unsigned access, uint32_t major, uint32_t minor)
{
  uint64_t r[11] = { 0 };
  uint32_t ctx[3] = { type | (access << 16), major, minor };

  for (size_t pc = 0; pc < p->len; pc++)
    {
      const struct bpf_insn *i = &p->insns[pc];
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          if (i->src_reg != BPF_REG_1 || i->off % 4 || i->off > 8)
            return -1;
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_AND | BPF_K: r[i->dst_reg] = (uint32_t) r[i->dst_reg] & (uint32_t) i->imm; break;
        case BPF_ALU | BPF_RSH | BPF_K: r[i->dst_reg] = (uint32_t) r[i->dst_reg] >> i->imm; break;
        case BPF_ALU | BPF_MOV | BPF_K: r[i->dst_reg] = (uint32_t) i->imm; break;
        case BPF_ALU | BPF_MOV | BPF_X: r[i->dst_reg] = (uint32_t) r[i->src_reg]; break;
        case BPF_JMP32 | BPF_JNE | BPF_K:
          if ((uint32_t) r[i->dst_reg] != (uint32_t) i->imm)
            pc += i->off;
          break;
        case BPF_JMP32 | BPF_JNE | BPF_X:
          if ((uint32_t) r[i->dst_reg] != (uint32_t) r[i->src_reg])
            pc += i->off;
          break;
        case BPF_JMP | BPF_EXIT: return (int) r[0];
        default: return -2;
        }
    }
  return -3; /* fell off the end */
}

/* Every jump lands inside the program, forward, on an instruction after
   which the program still ends with exit. */
static bool
jumps_ok (const struct hr_bpf_prog *p)
{
  for (size_t pc = 0; pc < p->len; pc++)
    if ((p->insns[pc].code & 0x07) == BPF_JMP32 && (pc + 1 + p->insns[pc].off >= p->len || p->insns[pc].off <= 0))
      return false;
  return p->len >= 2 && p->insns[p->len - 1].code == (BPF_JMP | BPF_EXIT);
}

static struct hr_bpf_prog *
prog_of (oci_linux_device_cgroup *rules, size_t n, struct hr_dev_state *st)
{
  oci_linux_device_cgroup *ptrs[16];
  hr_err err = NULL;

  for (size_t i = 0; i < n; i++)
    ptrs[i] = &rules[i];
  if (hr_dev_state_build (ptrs, n, st, &err) < 0)
    {
      printf ("# build: %s\n", err->msg);
      hr_error_free (&err);
      return NULL;
    }
  return hr_ebpf_devices_prog (st);
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define RD BPF_DEVCG_ACC_READ
#define WR BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD

int
main (void)
{
  size_t nd;
  hr_dev_default_rules (&nd);
  is_int (nd, 11, "runc's AllowedDevices: 11 rules");

  /* 1. runc spec's default: deny all, then runc's defaults. */
  {
    oci_linux_device_cgroup rules[] = { R (false, NULL, ANY, ANY, "rwm") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 1, &st);
    ok (p != NULL, "deny all: builds");
    ok (!st.default_allow, "deny all: default deny");
    is_int (st.len, 11, "deny all: the 11 defaults are the exceptions");
    /* prologue 6; c/b *:* m: 1+3+2 each; six c M:m rwm: 1+1+1+2; c 136:*: 4;
       c 5:2, c 10:200: 5 each; epilogue 2 */
    is_int (p->len, 6 + 6 + 6 + 6 * 5 + 4 + 5 + 5 + 2, "deny all: instruction count");
    ok (jumps_ok (p), "deny all: jumps stay inside the program");
    is_int (p->insns[p->len - 2].imm, 0, "deny all: default verdict 0");
    is_int (run_prog (p, C, RD | WR, 1, 3), 1, "/dev/null rw allowed");
    is_int (run_prog (p, C, RD | WR | MK, 1, 9), 1, "/dev/urandom rwm allowed");
    is_int (run_prog (p, C, WR, 1, 11), 0, "c 1:11 w denied");
    is_int (run_prog (p, C, MK, 1, 11), 1, "c 1:11 mknod allowed");
    is_int (run_prog (p, B, MK, 8, 0), 1, "b 8:0 mknod allowed");
    is_int (run_prog (p, B, RD, 8, 0), 0, "b 8:0 read denied");
    is_int (run_prog (p, C, RD | WR, 136, 7), 1, "/dev/pts/7 allowed");
    is_int (run_prog (p, C, RD | WR, 137, 7), 0, "c 137:7 denied");
    is_int (run_prog (p, C, RD, 10, 200), 1, "/dev/net/tun allowed");
    is_int (run_prog (p, C, RD, 0xffffffffu, 3), 0, "major 2^32-1 is not 1");
  }

  /* 2. allow all: the defaults are no-ops, the program is "return 1". */
  {
    oci_linux_device_cgroup rules[] = { R (true, "a", ANY, ANY, "rwm") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 1, &st);
    ok (p && st.default_allow && st.len == 0, "allow all: default allow, no exceptions");
    is_int (p->len, 8, "allow all: prologue + return 1");
    is_int (run_prog (p, B, RD | WR, 8, 0), 1, "allow all: b 8:0 rw allowed");
  }

  /* 3. An extra device with partial access; type absent means "a"; the
     access check is a subset test. */
  {
    oci_linux_device_cgroup rules[] = { R (false, NULL, ANY, ANY, "rwm"), R (true, "c", 1, 11, "w") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 2, &st);
    is_int (st.len, 12, "extra device: 12 exceptions");
    is_int (p->len, 64 + 1 + 3 + 1 + 1 + 2, "extra device: one block of 8 more");
    ok (jumps_ok (p), "extra device: jumps ok");
    is_int (run_prog (p, C, WR, 1, 11), 1, "c 1:11 w allowed");
    is_int (run_prog (p, C, RD, 1, 11), 0, "c 1:11 r denied");
    is_int (run_prog (p, C, RD | WR, 1, 11), 0, "c 1:11 rw denied (w only)");
  }

  /* 4. Later rules override earlier ones. */
  {
    oci_linux_device_cgroup rules[] = { R (false, "a", ANY, ANY, "rwm"), R (true, "c", 1, 11, "rw"),
                                        R (false, "c", 1, 11, "w") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 3, &st);
    is_int (run_prog (p, C, RD, 1, 11), 1, "allow rw then deny w: r allowed");
    is_int (run_prog (p, C, WR, 1, 11), 0, "allow rw then deny w: w denied");
  }
  {
    oci_linux_device_cgroup rules[] = { R (true, "c", 1, 11, "rw"), R (false, "a", ANY, ANY, "rwm") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 2, &st);
    is_int (run_prog (p, C, RD, 1, 11), 0, "allow c 1:11 then deny all: denied");
  }

  /* 5. A deny list: allow all, deny one device. */
  {
    oci_linux_device_cgroup rules[] = { R (true, NULL, ANY, ANY, "rwm"), R (false, "c", 1, 11, "rwm") };
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    _cleanup_ (hr_bpf_prog_freep) struct hr_bpf_prog *p = prog_of (rules, 2, &st);
    ok (st.default_allow && st.len == 1 && !st.rules[0].allow, "deny list: one deny exception");
    is_int (p->len, 6 + 5 + 2, "deny list: instruction count");
    is_int (run_prog (p, C, WR, 1, 11), 0, "deny list: c 1:11 denied");
    is_int (run_prog (p, C, WR, 1, 12), 1, "deny list: c 1:12 allowed");
    is_int (run_prog (p, B, RD, 1, 11), 1, "deny list: b 1:11 allowed");
  }

  /* 6. A hole in a wildcard exception cannot be represented on v1: refused. */
  {
    oci_linux_device_cgroup rules[] = { R (false, "a", ANY, ANY, "rwm"), R (true, "c", 1, -1, "rw"),
                                        R (false, "c", 1, 11, "w") };
    oci_linux_device_cgroup *ptrs[] = { &rules[0], &rules[1], &rules[2] };
    struct hr_dev_state st = { 0 };
    hr_err err = NULL;
    ok (hr_dev_state_build (ptrs, 3, &st, &err) < 0 && err && strstr (err->msg, "wildcard"),
        "hole in a wildcard rule refused");
    hr_error_free (&err);
  }

  /* 7. Bad input names the rule. */
  {
    oci_linux_device_cgroup rules[] = { R (true, "c", 1, 3, "xa") };
    oci_linux_device_cgroup *ptrs[] = { &rules[0] };
    struct hr_dev_state st = { 0 };
    hr_err err = NULL;
    ok (hr_dev_state_build (ptrs, 1, &st, &err) < 0 && err && strstr (err->msg, ".linux.resources.devices[0]"),
        "an access with none of r, w, m refused with the JSON path");
    hr_error_free (&err);
  }

  /* 7b. runc keeps the r, w, m of an access and ignores other letters:
     "rwa" is rw (runc's update.bats denies "rwa"). */
  {
    struct hr_dev_rule r;
    hr_err err = NULL;
    oci_linux_device_cgroup in = R (true, "c", 1, 11, "rwa");
    ok (hr_dev_rule_from_oci (&in, &r, "d", &err) == 0 && r.access == (HR_DEV_ACC_READ | HR_DEV_ACC_WRITE),
        "\"rwa\" is rw");
    hr_error_free (&err);
    oci_linux_device_cgroup in2 = R (false, "c", 1, 11, "mwr");
    ok (hr_dev_rule_from_oci (&in2, &r, "d", &err) == 0 && r.access == HR_DEV_ACC_ALL, "\"mwr\" in any order");
    hr_error_free (&err);
  }

  /* 8. devices.list parsing (v1 current state). */
  {
    _cleanup_ (hr_dev_state_free) struct hr_dev_state st = { 0 };
    hr_err err = NULL;
    ok (hr_dev_state_from_list ("c 1:3 rwm\nc 136:* rw\nb *:* m\n", &st, &err) == 0 && !st.default_allow
          && st.len == 3 && st.rules[1].major == 136 && st.rules[1].minor == HR_DEV_WILDCARD
          && st.rules[2].access == HR_DEV_ACC_MKNOD,
        "devices.list: allowlist parsed");
    hr_dev_state_free (&st);
    ok (hr_dev_state_from_list ("a *:* rwm\n", &st, &err) == 0 && st.default_allow && st.len == 0,
        "devices.list: a *:* rwm is allow-all");
  }

  return tap_done ();
}
