#ifndef MPUSIM_REPORT_INTERNAL_H
#define MPUSIM_REPORT_INTERNAL_H
/* Shared inside report/: the report's view of the summaries (summary.c is the one place that
 * reads the replay's summary structures), the collector's records, and the drawing helpers. */
#include "report/report.h"

/* ---- the report's view of the summaries (summary.c) ---- */

/* Regions in use over the events, in buckets of `bucket` consecutive events: bucket k covers
 * events [k * bucket, min((k + 1) * bucket, nevents)). */
struct report_timeline {
    size_t nevents;                    /* events replayed */
    size_t bucket;                     /* events per bucket, >= 1 */
    unsigned n;                        /* buckets, <= REPORT_TIMELINE_MAX (0: no events) */
    uint16_t min[REPORT_TIMELINE_MAX]; /* fewest regions in use after an event of the bucket */
    uint16_t max[REPORT_TIMELINE_MAX]; /* most */
    unsigned peak;                     /* most regions in use, boot included */
    unsigned limit;                    /* implemented EL2 regions */
};
/* Fill tl from replay r (after its last event). Never fails. */
void report_timeline_of(const struct replay *r, struct report_timeline *tl);

#define REPORT_HIST_BINS 24 /* bars of a latency histogram, at most */

/* One distribution of a per-call count (nearest-rank percentiles). */
struct report_dist {
    uint64_t min, p50, p90, p99, max;
};
/* Latency of the calls of one op with one result (guest engines). Histogram bins are
 * [lo + k * width, lo + (k + 1) * width), k < nbins. */
struct report_latency {
    enum trace_op op;
    int failed;                /* 0: rc == 0, 1: rc != 0 */
    size_t calls;
    struct report_dist insns;  /* guest instructions per call */
    int has_cycles;               /* 0: run without the timing model (--no-timing) */
    struct report_dist cycles[3]; /* modelled cycles per call: nominal, min, max */
    uint64_t cyc_lo, cyc_width;   /* cycle bins (shared by the three histograms) */
    unsigned cyc_nbins;
    uint32_t cyc_count[3][REPORT_HIST_BINS]; /* calls per bin: nominal, min, max */
    uint64_t ins_lo, ins_width;   /* instruction bins */
    unsigned ins_nbins;
    uint32_t ins_count[REPORT_HIST_BINS];
};
/* The latency rows of r (guest engines; none for native) into rows[0..*n), at most cap.
 * Returns 0, or -1 with err set when out of memory. */
int report_latency_of(const struct replay *r, struct report_latency *rows, unsigned cap,
                      unsigned *n, struct mpusim_error *err);

/* ---- the collector's records (collect.c) ---- */

/* What is marked on the occupancy time axis. */
enum rp_mark_kind { RP_MARK_FAILED, RP_MARK_FAULT, RP_MARK_FINDING, RP_MARK_MISMATCH,
                    RP_MARK_STOP, /* the guest stopped inside a call (replay_guest_stop) */
                    RP_MARK_KIND_COUNT };

/* How many marks of each kind fell in each stretch of events, over the whole run, in at most
 * REPORT_TIMELINE_MAX buckets of `width` events (bucket k = events [k * width, (k + 1) *
 * width)); the width doubles, merging pairs of buckets, whenever the run outgrows them. */
struct report_density {
    size_t width;                      /* events per bucket, a power of two */
    unsigned n;                        /* buckets in use */
    uint32_t count[RP_MARK_KIND_COUNT][REPORT_TIMELINE_MAX];
};

struct report_fault {
    long event;
    enum trace_access_kind kind; /* read, write, exec */
    unsigned el;                 /* exception level of the access */
    uint64_t addr, size;         /* first byte, bytes */
    struct mpu_result acc;       /* the check's result (cause, FSC, ESR, FAR) */
};
struct report_failed {
    long event;
    enum trace_op op;
    int rc;
    uint64_t base, limit;        /* as in struct trace_event */
};
/* The EL2 MPU at one moment. */
struct report_snapshot {
    long event;                  /* after this event; -1: after the boot step */
    unsigned used;               /* regions in use then */
    unsigned nregions;           /* implemented regions */
    uint64_t mair;               /* MAIR_EL2 */
    uint64_t prbar[MPU_MAX_REGIONS], prlar[MPU_MAX_REGIONS];
    uint64_t diverged[4];        /* regions whose table entry differs from the registers */
};
struct report_collector {
    struct report_fault faults[REPORT_LIST_MAX];
    unsigned nfaults;
    uint64_t faults_total;
    struct report_failed failed[REPORT_LIST_MAX];
    unsigned nfailed;
    uint64_t failed_total;
    struct report_snapshot peak;  /* at the first event that reached the peak */
    struct report_density density;/* every mark of the run, bucketed */
    uint64_t seen_notes, seen_mismatches; /* the replay's totals at the last event observed */
};
/* The registers of r's results MPU now, into s. */
void report_snapshot_take(const struct replay *r, long event, unsigned used,
                          struct report_snapshot *s);

/* ---- drawing (page.c, chart.c) ---- */

/* Page skeleton: head with the style sheet, and the end. */
void rp_page_begin(FILE *f, const char *title);
void rp_page_end(FILE *f);
void rp_section_begin(FILE *f, const char *id, const char *title);
void rp_section_end(FILE *f);
/* s escaped for HTML text and attribute values. */
void rp_text(FILE *f, const char *s);
/* "0x1000_0000"-style hex address; "4 KiB", "256 MiB", "1.5 GiB" sizes. */
const char *rp_hex(uint64_t v, char *buf, size_t cap);
const char *rp_size(uint64_t bytes, char *buf, size_t cap);
/* Colour of series k of a chart (a fixed palette, cycled). */
const char *rp_colour(unsigned k);

/* A chart's plot area in SVG user units: x0..x1 left to right, y0 (top)..y1 (bottom). */
struct rp_frame {
    double x0, x1, y0, y1;
    double vx0, vx1, vy0, vy1;   /* value ranges mapped to it */
};
double rp_x(const struct rp_frame *fr, double v);
double rp_y(const struct rp_frame *fr, double v);
/* Round ticks for [lo, hi]: step such that at most max ticks fit; returns the step. */
double rp_tick_step(double lo, double hi, unsigned max);
/* <svg> element of width w and height h (user units), with an accessible label. */
void rp_svg_begin(FILE *f, const char *cls, double w, double h, const char *label);
void rp_svg_end(FILE *f);
/* Axes with ticks and labels; xlabel/ylabel under and left of the plot. */
void rp_axes(FILE *f, const struct rp_frame *fr, const char *xlabel, const char *ylabel,
             int integer_y);

/* ---- sections ---- */

/* A point on the occupancy time axis with its text (the kind is an enum rp_mark_kind). */
struct rp_mark {
    long event;
    enum rp_mark_kind kind;
    char text[200];
};
/* occupancy.c: the chart (min..max band, limit, peak at peak_event, the marks: one symbol per
 * mark for short runs, their density per bucket for long ones) and its tables. */
void rp_occupancy(FILE *f, const struct report_timeline *tl, long peak_event,
                  const struct rp_mark *marks, unsigned nmarks,
                  const struct report_density *density);
/* region_map.c: the regions of s on a segmented address axis, and their table. notes are the
 * replay's kept findings/divergences (the latest divergence before s->event gives a diverged
 * region's table view). */
void rp_region_map(FILE *f, const char *id, const char *title, const struct report_snapshot *s,
                   const struct replay_note *notes, unsigned nnotes);
/* The colour legend of the region maps (one per section). */
void rp_region_legend(FILE *f);
/* latency.c: histograms of cycles and instructions per row, with percentiles. */
void rp_latency(FILE *f, const struct report_latency *rows, unsigned n);
/* findings.c: faults, failed calls, findings and expectation mismatches tables. */
void rp_findings(FILE *f, const struct replay *r, const struct report_collector *c);

#endif
