/* Names used in trace format v1: ops, access kinds and Xen's flag sets. */
#include <string.h>

#include "mm/mm.h"
#include "traces/internal.h"

static const char *const op_names[TRACE_OP_COUNT] = {
    [TRACE_OP_MAP] = "map",
    [TRACE_OP_MODIFY] = "modify",
    [TRACE_OP_UNMAP] = "unmap",
    [TRACE_OP_UNMAP_CONTAINING] = "unmap_containing",
    [TRACE_OP_IOREMAP] = "ioremap",
    [TRACE_OP_ACCESS] = "access",
    [TRACE_OP_SYSREG] = "sysreg",
    [TRACE_OP_THREAD_CREATE] = "thread_create",
    [TRACE_OP_DOMAIN_INIT] = "domain_init",
    [TRACE_OP_DOMAIN_ADD_PARTITION] = "domain_add_partition",
    [TRACE_OP_DOMAIN_REMOVE_PARTITION] = "domain_remove_partition",
    [TRACE_OP_DOMAIN_ADD_THREAD] = "domain_add_thread",
    [TRACE_OP_USER_ENTER] = "user_enter",
    [TRACE_OP_SWITCH] = "switch",
    [TRACE_OP_CPU_BOOT] = "cpu_boot",
    [TRACE_OP_VM_CREATE] = "vm_create",
    [TRACE_OP_MAP_CPY] = "map_cpy",
    [TRACE_OP_VM_ENTRY] = "vm_entry",
    [TRACE_OP_VM_EXIT] = "vm_exit",
};

int trace_op_system(enum trace_op op)
{
    if (op >= TRACE_OP_CPU_BOOT && op < TRACE_OP_COUNT)
        return 2;
    return op >= TRACE_OP_THREAD_CREATE && op < TRACE_OP_COUNT ? 1 : 0;
}

int trace_event_system(const struct trace_event *ev)
{
    return ev->bao ? 2 : trace_op_system(ev->op);
}

static const char *const kind_names[] = {
    [TRACE_ACC_READ] = "read",
    [TRACE_ACC_WRITE] = "write",
    [TRACE_ACC_EXEC] = "exec",
};
#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

/* Xen's PAGE_HYPERVISOR_* sets, spelled as Xen spells them (case-sensitive). */
static const struct {
    const char *name;
    unsigned flags;
} flag_sets[] = {
    { "RO", MM_PAGE_HYPERVISOR_RO },           /* 0x3F: read-only, execute-never, normal */
    { "RX", MM_PAGE_HYPERVISOR_RX },           /* 0x37: read-only, executable, normal */
    { "RW", MM_PAGE_HYPERVISOR_RW },           /* 0x2F: read-write, execute-never, normal */
    { "NOCACHE", MM_PAGE_HYPERVISOR_NOCACHE }, /* 0x2C: device nGnRE (ioremap) */
    { "WC", MM_PAGE_HYPERVISOR_WC },           /* 0x29: normal non-cacheable (ioremap_wc) */
};

const char *trace_op_name(enum trace_op op)
{
    return (unsigned)op < TRACE_OP_COUNT ? op_names[op] : "?";
}

const char *trace_access_kind_name(enum trace_access_kind k)
{
    return (unsigned)k < KIND_COUNT ? kind_names[k] : "?";
}

int trace_op_from_name(const char *name)
{
    for (int i = 0; i < TRACE_OP_COUNT; i++)
        if (name[0] == op_names[i][0] && strcmp(name, op_names[i]) == 0)
            return i;
    return -1;
}

int trace_access_kind_from_name(const char *name)
{
    for (unsigned i = 0; i < KIND_COUNT; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return (int)i;
    return -1;
}

int trace_flags_from_name(const char *name)
{
    for (unsigned i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++)
        if (strcmp(name, flag_sets[i].name) == 0)
            return (int)flag_sets[i].flags;
    return -1;
}
