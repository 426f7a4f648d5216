/*
 * Source lines of guest addresses from the ELF's DWARF line table, with libdw (elfutils):
 * for stop and fault reports ("xen/arch/arm/mpu/mm.c:240"). The debug information is opened
 * once, when the ELF is loaded; an ELF without it simply has no lines.
 */
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/internal.h"

void sim_lines_open(struct sim_elf *e, const char *path)
{
    e->dwarf_fd = open(path, O_RDONLY);
    if (e->dwarf_fd < 0)
        return;
    e->dwarf = dwarf_begin(e->dwarf_fd, DWARF_C_READ);
    if (!e->dwarf) { /* no DWARF: no lines */
        close(e->dwarf_fd);
        e->dwarf_fd = -1;
    }
}

void sim_lines_close(struct sim_elf *e)
{
    if (e->dwarf)
        dwarf_end(e->dwarf);
    if (e->dwarf_fd >= 0)
        close(e->dwarf_fd);
    e->dwarf = NULL;
    e->dwarf_fd = -1;
}

/* The compilation unit whose ranges hold addr: from .debug_aranges, else by walking the units
 * (images built without aranges). */
static int unit_of(Dwarf *dw, uint64_t addr, Dwarf_Die *cu)
{
    if (dwarf_addrdie(dw, addr, cu))
        return 0;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        if (dwarf_offdie(dw, off + hsize, cu) && dwarf_haspc(cu, addr) == 1)
            return 0;
        off = next;
    }
    return -1;
}

int sim_source_line(const struct sim *s, uint64_t addr, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    Dwarf *dw = s->elf.dwarf;
    Dwarf_Die cu;
    if (!dw || unit_of(dw, addr, &cu) != 0)
        return -1;
    Dwarf_Line *l = dwarf_getsrc_die(&cu, addr);
    int line = 0;
    const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
    if (!file || dwarf_lineno(l, &line) != 0 || line <= 0)
        return -1;
    snprintf(buf, cap, "%s:%d", file, line);
    return 0;
}
