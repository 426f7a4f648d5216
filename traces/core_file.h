#ifndef MPUSIM_TRACES_CORE_FILE_H
#define MPUSIM_TRACES_CORE_FILE_H
/*
 * Core files (docs/timing.md): the costs of the timing model, one JSON document per core, read
 * here because traces/ is the only module that includes <jansson.h>; the result is the plain
 * struct sim_core that sim/ runs with. cores/cortex-r82.json is the default (its numbers are
 * also built in: sim_core_default()).
 *
 *   {"format": "mpusim-core", "format_version": 1, "name": "...", "version": "...",
 *    "pipeline": {"issue_width": NUM, "in_order_writeback": NUM},
 *    "units": {"alu": NUM, "mac": NUM, "div": NUM, "load": NUM, "store": NUM, "branch": NUM,
 *              "sys": NUM},
 *    "branch": {"predictor": {"kind": "bimodal"|"btfn", "entries": N, "source", "status"},
 *               "ras_depth": NUM, "btb_entries": NUM, "taken_bubble": NUM, "mispredict": NUM,
 *               "ret_mispredict": NUM},
 *    "memory": {"store_drain": NUM},
 *    "classes": {"<class>": {"unit": "<unit>", "lat": NUM, "occupancy": NUM, "lat_alu": NUM,
 *                "lat_shift": NUM, "lat_mac": NUM, "lat_acc": NUM, "lat_addr": NUM,
 *                "lat_second": NUM, "cost": NUM, "serialize": BOOL, "drain_stores": BOOL,
 *                "retire_ooo": BOOL}, ... one for every class of sim_tclass_name()}}
 *   NUM = {"value": N, "source": "...", "status": S}
 *       | {"nominal": N, "min": N, "max": N, "source": "...", "status": S}
 *   S: "published", "published-proxy", "llvm", "gem5", "guess", "measured", "assumption", or
 *   one of these followed by a remark ("llvm (range guess)"). A status starting with "guess"
 *   needs min and max. In a class, lat is required; occupancy defaults to 1, cost to 0,
 *   lat_second and each lat_<reader> to lat; booleans to false.
 */
#include "common/error.h"
#include "sim/sim.h"

/**
 * trace_core_read_file - read and check a core file
 * @path: borrowed
 * @out:  written on success only
 * Returns 0, or -1 with err: MPUSIM_E_IO (cannot open), MPUSIM_E_PARSE (not JSON, with line
 * and column; a field of the wrong type), MPUSIM_E_RANGE (a missing class or field, an unknown
 * name, min > nominal, ...), the message naming the field ("classes.isb.cost: ...").
 */
int trace_core_read_file(const char *path, struct sim_core *out, struct mpusim_error *err);

#endif
