/*
 * Members of the guest's global variables from the ELF's DWARF, with libdw (elfutils): where a
 * field lies inside a variable, how wide it is and whether it is signed, so that the host can
 * read a result from guest memory (an adapter's results: docs/guest.md) without running guest
 * code and without an offset that goes stale when the structure changes.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <string.h>

#include "sim/internal.h"

#define MEMBER_MAX_DEPTH 16 /* typedef/qualifier chains and nested anonymous members */

/* die's type with typedefs and qualifiers peeled off; 0 when it has none. */
static int peeled_type(Dwarf_Die *die, Dwarf_Die *out)
{
    Dwarf_Attribute at;
    Dwarf_Die cur = *die;
    for (int depth = 0; depth < MEMBER_MAX_DEPTH; depth++) {
        if (!dwarf_attr_integrate(&cur, DW_AT_type, &at) || !dwarf_formref_die(&at, out))
            return 0;
        int tag = dwarf_tag(out);
        if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
            tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type)
            return 1;
        cur = *out;
    }
    return 0;
}

/* 2: die's location is exactly the address addr; 1: it is a definition elsewhere or has no
 * location (a declaration: the same type); used to rank variables of one name. */
static int rank(Dwarf_Die *die, uint64_t addr)
{
    Dwarf_Attribute at;
    Dwarf_Op *expr;
    size_t len;
    if (dwarf_attr(die, DW_AT_location, &at) && dwarf_getlocation(&at, &expr, &len) == 0 &&
        len == 1 && expr[0].atom == DW_OP_addr)
        return expr[0].number == addr ? 2 : 1;
    return 1;
}

/* The variable named var at the top of some unit: the one at addr (a static of that name in
 * another unit is another variable), else the first of that name. 1 when found. */
static int find_variable(Dwarf *dw, const char *var, uint64_t addr, Dwarf_Die *out)
{
    Dwarf_Off off = 0, next;
    size_t hsize;
    int best = 0;
    while (best < 2 && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu, d;
        if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
            do {
                if (dwarf_tag(&d) != DW_TAG_variable)
                    continue;
                const char *n = dwarf_diename(&d);
                if (!n || strcmp(n, var) || !dwarf_hasattr_integrate(&d, DW_AT_type))
                    continue;
                int r = rank(&d, addr);
                if (r > best) {
                    *out = d;
                    best = r;
                }
            } while (best < 2 && dwarf_siblingof(&d, &d) == 0);
        }
        off = next;
    }
    return best > 0;
}

/* The member name of struct or union type *t (anonymous members searched too): its offset
 * from the start of *t added to *offset and its DIE in *out. 1 when found. */
static int find_member(Dwarf_Die *t, const char *name, size_t len, uint64_t *offset,
                       Dwarf_Die *out, int depth)
{
    Dwarf_Die m;
    if (depth > MEMBER_MAX_DEPTH || dwarf_child(t, &m) != 0)
        return 0;
    do {
        if (dwarf_tag(&m) != DW_TAG_member)
            continue;
        Dwarf_Word at = 0;
        Dwarf_Attribute a;
        if (dwarf_attr(&m, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &at) != 0)
            continue; /* a location expression, not a constant: not a plain C member */
        const char *n = dwarf_diename(&m);
        if (n && strlen(n) == len && !strncmp(n, name, len)) {
            *offset += at;
            *out = m;
            return 1;
        }
        Dwarf_Die sub;
        uint64_t inner = 0;
        if (!n && peeled_type(&m, &sub) &&
            (dwarf_tag(&sub) == DW_TAG_structure_type || dwarf_tag(&sub) == DW_TAG_union_type) &&
            find_member(&sub, name, len, &inner, out, depth + 1)) {
            *offset += at + inner;
            return 1;
        }
    } while (dwarf_siblingof(&m, &m) == 0);
    return 0;
}

/* Signedness of scalar type t (peeled): signed integers and characters, enums whose
 * underlying type is signed. */
static int is_signed(Dwarf_Die *t)
{
    Dwarf_Attribute a;
    Dwarf_Word enc = 0;
    Dwarf_Die u;
    if (dwarf_tag(t) == DW_TAG_enumeration_type)
        return peeled_type(t, &u) ? is_signed(&u) : 0;
    if (dwarf_tag(t) != DW_TAG_base_type || !dwarf_attr(t, DW_AT_encoding, &a) ||
        dwarf_formudata(&a, &enc) != 0)
        return 0;
    return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
}

int sim_member(const struct sim *s, const struct sim_symbol *var, const char *path,
               struct sim_member *out, struct mpusim_error *err)
{
    Dwarf *dw = s->elf.dwarf;
    const char *file = s->elf.path, *vn = var->name;
    if (!dw)
        return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                               "has no DWARF debug information: member '%s' of '%s' cannot be "
                               "found (give an offset and a type instead)", path, vn);
    Dwarf_Die v, t, m;
    if (!find_variable(dw, vn, var->addr, &v))
        return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                               "no variable '%s' in the DWARF", vn);
    if (!peeled_type(&v, &t))
        return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                               "variable '%s' has no type in the DWARF", vn);
    uint64_t offset = 0;
    for (const char *p = path; *p;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        int tag = dwarf_tag(&t);
        if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
            return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                                   "'%s.%.*s' is not a struct or union: no member '%.*s' in it",
                                   vn, (int)(p == path ? 0 : p - path - 1), path, (int)len, p);
        if (len == 0 || !find_member(&t, p, len, &offset, &m, 0))
            return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                                   "no member '%.*s' in '%s.%s'", (int)len, p, vn, path);
        if (dwarf_hasattr(&m, DW_AT_bit_size))
            return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                                   "'%s.%.*s' is a bit-field: it cannot be read as bytes", vn,
                                   (int)(p + len - path), path);
        if (!peeled_type(&m, &t))
            return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                                   "member '%.*s' of '%s' has no type in the DWARF", (int)len, p,
                                   vn);
        p += len + (dot ? 1 : 0);
    }
    Dwarf_Word size = 0;
    int tag = dwarf_tag(&t);
    if (dwarf_aggregate_size(&t, &size) != 0) {
        if (tag != DW_TAG_pointer_type)
            return mpusim_error_at(err, MPUSIM_E_RANGE, file, -1, -1, -1,
                                   "'%s.%s' has a type of unknown size", vn, path);
        size = 8; /* AArch64 LP64 */
    }
    out->offset = offset;
    out->size = size;
    out->scalar = tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type ||
                  tag == DW_TAG_pointer_type;
    out->is_signed = out->scalar && is_signed(&t);
    return 0;
}
