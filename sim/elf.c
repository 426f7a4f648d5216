/*
 * ELF loading with libelf: PT_LOAD segments into guest memory (bss zeroed), the entry point,
 * and the symbol table (functions, objects and untyped labels, with sizes), looked up by name
 * and by address (symbol+offset for reports).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/internal.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

void sim_elf_fini(struct sim_elf *e)
{
    sim_lines_close(e);
    free(e->sym);
    free(e->names);
    free(e->by_name);
    memset(e, 0, sizeof *e);
    e->dwarf_fd = -1;
}

static int by_addr(const void *a, const void *b)
{
    const struct sim_symbol *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->is_func != y->is_func) /* functions first at one address */
        return y->is_func - x->is_func;
    return strcmp(x->name, y->name);
}

/* qsort_r is not C11: sort the name index with the names it points at. */
static int by_name(const void *a, const void *b)
{
    const struct sim_symbol *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

const struct sim_symbol *sim_elf_find(const struct sim_elf *e, const char *name)
{
    size_t lo = 0, hi = e->nsym;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(e->by_name[mid]->name, name);
        if (c == 0)
            return e->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct sim_symbol *sim_elf_covering(const struct sim_elf *e, uint64_t addr)
{
    size_t lo = 0, hi = e->nsym; /* first symbol with addr > addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->sym[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* walk back over symbols at or below addr: prefer one whose size covers addr */
    for (size_t i = lo; i-- > 0;) {
        const struct sim_symbol *y = &e->sym[i];
        if (y->size ? addr - y->addr < y->size : 1)
            return y;
        if (lo - i > 8)
            break;
    }
    return NULL;
}

/* Keep symbols a user can name: functions, objects, and untyped labels in a section. */
static int wanted(const GElf_Sym *sym, const char *name)
{
    int type = GELF_ST_TYPE(sym->st_info);
    if (!name || !*name || name[0] == '$' || sym->st_shndx == SHN_UNDEF)
        return 0;
    return type == STT_FUNC || type == STT_OBJECT || (type == STT_NOTYPE && sym->st_shndx != SHN_ABS);
}

static int load_symbols(struct sim_elf *out, Elf *e, const char *path, struct mpusim_error *err)
{
    size_t nsym = 0, nbytes = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0, off = 0;
        Elf_Scn *scn = NULL;
        while ((scn = elf_nextscn(e, scn)) != NULL) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh))
                return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                       "malformed section header: %s", elf_errmsg(-1));
            if (sh.sh_type != SHT_SYMTAB)
                continue;
            out->has_symtab = 1;
            Elf_Data *d = elf_getdata(scn, NULL);
            if (!d || sh.sh_entsize == 0)
                return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                       "symbol table cannot be read (truncated file?): %s",
                                       elf_errmsg(-1));
            size_t n = sh.sh_size / sh.sh_entsize;
            for (size_t i = 0; i < n; i++) {
                GElf_Sym sym;
                if (!gelf_getsym(d, (int)i, &sym))
                    return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                           "symbol %zu cannot be read: %s", i, elf_errmsg(-1));
                const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
                if (!wanted(&sym, name))
                    continue;
                size_t len = strlen(name) + 1;
                if (pass == 1) {
                    memcpy(out->names + off, name, len);
                    out->sym[k] = (struct sim_symbol){ out->names + off, sym.st_value,
                                                       sym.st_size,
                                                       GELF_ST_TYPE(sym.st_info) == STT_FUNC };
                }
                k++;
                off += len;
            }
        }
        if (pass == 0) {
            nsym = k;
            nbytes = off;
            out->sym = calloc(nsym ? nsym : 1, sizeof *out->sym);
            out->names = malloc(nbytes ? nbytes : 1);
            out->by_name = calloc(nsym ? nsym : 1, sizeof *out->by_name);
            if (!out->sym || !out->names || !out->by_name)
                return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for %zu symbols",
                                        nsym);
        }
    }
    out->nsym = nsym;
    qsort(out->sym, nsym, sizeof *out->sym, by_addr);
    for (size_t i = 0; i < nsym; i++)
        out->by_name[i] = &out->sym[i];
    qsort(out->by_name, nsym, sizeof *out->by_name, by_name);
    return 0;
}

static int check_header(Elf *e, const char *path, GElf_Ehdr *eh, struct mpusim_error *err)
{
    if (elf_kind(e) != ELF_K_ELF)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1, "not an ELF file");
    size_t nident = 0;
    const char *ident = elf_getident(e, &nident);
    if (!ident || nident < EI_NIDENT)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "truncated ELF identification");
    if (ident[EI_CLASS] != ELFCLASS64)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "not a 64-bit ELF (class %d): AArch64 guests are ELF64",
                               ident[EI_CLASS]);
    if (ident[EI_DATA] != ELFDATA2LSB)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "not a little-endian ELF");
    if (!gelf_getehdr(e, eh))
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "truncated or malformed ELF header: %s", elf_errmsg(-1));
    if (eh->e_machine != EM_AARCH64)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "wrong architecture: e_machine is %u, not AArch64 (%u)",
                               (unsigned)eh->e_machine, (unsigned)EM_AARCH64);
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "not an executable (e_type %u): link the guest first",
                               (unsigned)eh->e_type);
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Map the pages of every PT_LOAD segment (merged where they share pages), then copy the
 * file bytes; the rest (bss) stays zero as uc_mem_map leaves it. */
static int load_segments(struct sim *s, Elf *e, const char *path, const char *file,
                         size_t filesize, struct mpusim_error *err)
{
    size_t nph = 0;
    if (elf_getphdrnum(e, &nph) != 0)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                               "program headers cannot be read: %s", elf_errmsg(-1));
    GElf_Phdr ph[SIM_MAX_SEGMENTS];
    uint64_t pages[SIM_MAX_SEGMENTS][2];
    unsigned n = 0;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr p;
        if (!gelf_getphdr(e, (int)i, &p))
            return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                   "program header %zu cannot be read (truncated file?): %s", i,
                                   elf_errmsg(-1));
        if (p.p_type != PT_LOAD || p.p_memsz == 0)
            continue;
        if (n == SIM_MAX_SEGMENTS)
            return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                   "more than %d PT_LOAD segments", SIM_MAX_SEGMENTS);
        if (p.p_filesz > p.p_memsz || p.p_offset > filesize || p.p_filesz > filesize - p.p_offset)
            return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                   "truncated: segment %zu needs file bytes [0x%llx, 0x%llx) but "
                                   "the file has 0x%zx", i, (unsigned long long)p.p_offset,
                                   (unsigned long long)(p.p_offset + p.p_filesz), filesize);
        if (p.p_vaddr + p.p_memsz < p.p_vaddr)
            return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1,
                                   "segment %zu wraps around the address space", i);
        ph[n] = p;
        pages[n][0] = p.p_vaddr & ~(SIM_PAGE - 1);
        pages[n][1] = (p.p_vaddr + p.p_memsz + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
        s->elf.seg[n].base = p.p_vaddr;
        s->elf.seg[n].limit = p.p_vaddr + p.p_memsz;
        s->elf.seg[n].flags = p.p_flags;
        n++;
    }
    if (n == 0)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1, "no PT_LOAD segment");
    s->elf.nseg = n;
    qsort(pages, n, sizeof pages[0], cmp_range);
    for (unsigned i = 0; i < n;) {
        uint64_t lo = pages[i][0], hi = pages[i][1];
        unsigned j = i + 1;
        while (j < n && pages[j][0] <= hi) {
            if (pages[j][1] > hi)
                hi = pages[j][1];
            j++;
        }
        struct mpusim_error e2;
        mpusim_error_clear(&e2);
        if (sim_mem_map(s, lo, hi - lo, SIM_WINDOW_RAM, "ELF segment", &e2) != 0)
            return mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1, "%s", e2.text);
        i = j;
    }
    for (unsigned i = 0; i < n; i++)
        if (ph[i].p_filesz &&
            uc_mem_write(s->uc, ph[i].p_vaddr, file + ph[i].p_offset, ph[i].p_filesz) != UC_ERR_OK)
            return mpusim_error_at(err, MPUSIM_E_ENGINE, path, -1, -1, -1,
                                   "writing segment at 0x%llx failed",
                                   (unsigned long long)ph[i].p_vaddr);
    return 0;
}

int sim_load_elf(struct sim *s, const char *path, struct mpusim_error *err)
{
    if (s->elf.loaded)
        return mpusim_error_at(err, MPUSIM_E_RANGE, path, -1, -1, -1,
                               "an ELF is already loaded (%s)", s->elf.path);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "libelf is unusable: %s", elf_errmsg(-1));
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s",
                               strerror(errno));
    int rc = -1;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e) {
        mpusim_error_at(err, MPUSIM_E_PARSE, path, -1, -1, -1, "cannot read as ELF: %s",
                        elf_errmsg(-1));
        goto fail;
    }
    GElf_Ehdr eh;
    if (check_header(e, path, &eh, err) != 0)
        goto fail;
    size_t filesize = 0;
    const char *file = elf_rawfile(e, &filesize);
    if (!file) {
        mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot read: %s", elf_errmsg(-1));
        goto fail;
    }
    snprintf(s->elf.path, sizeof s->elf.path, "%s", path);
    if (load_segments(s, e, path, file, filesize, err) != 0 ||
        load_symbols(&s->elf, e, path, err) != 0)
        goto fail;
    s->elf.entry = eh.e_entry;
    s->elf.loaded = 1;
    sim_lines_open(&s->elf, path);
    rc = 0;
fail:
    if (rc != 0) {
        sim_elf_fini(&s->elf);
    }
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

uint64_t sim_entry(const struct sim *s) { return s->elf.entry; }

int sim_symbol(const struct sim *s, const char *name, struct sim_symbol *out,
               struct mpusim_error *err)
{
    const struct sim_symbol *y = s->elf.loaded ? sim_elf_find(&s->elf, name) : NULL;
    if (!y && s->elf.loaded && !s->elf.has_symtab)
        return mpusim_error_at(err, MPUSIM_E_RANGE, s->elf.path, -1, -1, -1,
                               "has no symbol table (stripped?): symbol '%s' cannot be "
                               "found; use the unstripped image (xen-syms, not xen)", name);
    if (!y)
        return mpusim_error_at(err, MPUSIM_E_RANGE, s->elf.path, -1, -1, -1,
                               "no symbol '%s' in the ELF", name);
    *out = *y;
    return 0;
}

char *sim_symbolize(const struct sim *s, uint64_t addr, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    const struct sim_symbol *y = s->elf.loaded ? sim_elf_covering(&s->elf, addr) : NULL;
    if (!y)
        snprintf(buf, cap, "0x%llx", (unsigned long long)addr);
    else if (addr == y->addr)
        snprintf(buf, cap, "%s", y->name);
    else
        snprintf(buf, cap, "%s+0x%llx", y->name, (unsigned long long)(addr - y->addr));
    return buf;
}
