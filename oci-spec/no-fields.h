/* SPDX-License-Identifier: Apache-2.0 */
/* For expansions of the .def files that want one thing per struct (a
   typedef, a descriptor, a free function): every field macro, and OCI_MAP,
   expands to nothing.  Define OCI_STRUCT and OCI_END first; include
   oci-spec/undef.h after the .def. */
#define OCI_MAP(M, V)
#define F_STR(T, c, j, r, s)
#define F_ENUM(T, c, j, e, r, s)
#define F_PSTR(T, c, j, p, r, s)
#define F_BOOL(T, c, j, r, s)
#define F_INT(T, c, j, k, lo, hi, r, s)
#define F_STRV(T, c, j, r, s)
#define F_ENUMV(T, c, j, e, r, s)
#define F_PSTRV(T, c, j, p, r, s)
#define F_INTV(T, c, j, k, lo, hi, r, s)
#define F_OBJ(T, c, j, S, r, s)
#define F_OBJV(T, c, j, S, r, s)
#define F_SMAP(T, c, j, r, s)
#define F_OMAP(T, c, j, S, M, r, s)
