/* SPDX-License-Identifier: Apache-2.0 */
/* Forget the X-macro vocabulary between two expansions of the .def files. */
#undef OCI_ENUM_BEGIN
#undef OCI_ENUM_VALUE
#undef OCI_ENUM_END
#undef OCI_STRUCT
#undef OCI_END
#undef OCI_MAP
#undef F_STR
#undef F_ENUM
#undef F_PSTR
#undef F_BOOL
#undef F_INT
#undef F_STRV
#undef F_ENUMV
#undef F_PSTRV
#undef F_INTV
#undef F_OBJ
#undef F_OBJV
#undef F_SMAP
#undef F_OMAP
