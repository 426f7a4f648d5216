/* Faults and findings: the guest stop (if the guest stopped inside a call), the faulting accesses (event, op, address, cause, FSC, ESR, FAR), the
 * failed calls, the algorithm's findings and table/hardware divergences, and the expectation
 * mismatches, each a table with its total. */
#include "report/internal.h"

static void count_line(FILE *f, const char *what, uint64_t total, unsigned shown)
{
    fprintf(f, "<h3>%s (%llu", what, (unsigned long long)total);
    if (total > shown)
        fprintf(f, "; the first %u listed", shown);
    fputs(")</h3>\n", f);
}

static void faults(FILE *f, const struct report_collector *c)
{
    count_line(f, "Faults", c->faults_total, c->nfaults);
    if (!c->nfaults) {
        fputs("<p class=\"note\">No access faulted.</p>\n", f);
        return;
    }
    fputs("<div class=\"scroll\"><table class=\"data faults-data\"><thead><tr>"
          "<th class=\"n\">event</th><th>op</th><th>address</th><th class=\"n\">size</th>"
          "<th class=\"n\">EL</th><th>cause</th><th>FSC</th><th>ESR</th><th>FAR</th>"
          "<th>region</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < c->nfaults; k++) {
        const struct report_fault *x = &c->faults[k];
        char a[24];
        fprintf(f, "<tr><td class=\"n\">%ld</td><td>%s</td><td class=\"mono\">%s</td>"
                   "<td class=\"n\">%llu</td><td class=\"n\">%u</td><td class=\"k-failed\">%s</td>"
                   "<td class=\"mono\">0x%02x</td><td class=\"mono\">0x%llx</td>"
                   "<td class=\"mono\">0x%llx</td><td>",
                x->event, trace_access_kind_name(x->kind), rp_hex(x->addr, a, sizeof a),
                (unsigned long long)x->size, x->el, mpu_fault_name(x->acc.fault), x->acc.fsc,
                (unsigned long long)x->acc.esr, (unsigned long long)x->acc.far);
        if (x->acc.fault == MPU_FAULT_MULTIPLE_REGIONS)
            fprintf(f, "#%d and #%d", x->acc.region, x->acc.region2);
        else if (x->acc.region >= 0)
            fprintf(f, "#%d", x->acc.region);
        else
            fputs("none", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void failed(FILE *f, const struct report_collector *c)
{
    count_line(f, "Failed calls", c->failed_total, c->nfailed);
    if (!c->nfailed) {
        fputs("<p class=\"note\">Every call returned 0.</p>\n", f);
        return;
    }
    fputs("<div class=\"scroll\"><table class=\"data failed-data\"><thead><tr>"
          "<th class=\"n\">event</th><th>op</th><th>arguments</th><th class=\"n\">rc</th>"
          "</tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < c->nfailed; k++) {
        const struct report_failed *x = &c->failed[k];
        char a[24], b[24];
        fprintf(f, "<tr><td class=\"n\">%ld</td><td>%s</td><td class=\"mono\">", x->event,
                trace_op_name(x->op));
        if (x->op == TRACE_OP_MAP || x->op == TRACE_OP_MODIFY || x->op == TRACE_OP_UNMAP)
            fprintf(f, "[%s, %s)", rp_hex(x->base, a, sizeof a), rp_hex(x->limit, b, sizeof b));
        else if (x->op == TRACE_OP_IOREMAP)
            fprintf(f, "%s, size %s", rp_hex(x->base, a, sizeof a), rp_hex(x->limit, b, sizeof b));
        else
            fputs(rp_hex(x->base, a, sizeof a), f);
        fprintf(f, "</td><td class=\"n k-failed\">%d</td></tr>\n", x->rc);
    }
    fputs("</tbody></table></div>\n", f);
}

static void notes(FILE *f, const struct replay *r)
{
    count_line(f, "Findings and table/hardware divergences",
               r->findings_total + r->divergences_total, r->nnotes);
    if (!r->nnotes) {
        fputs("<p class=\"note\">No finding (docs/findings.md) and no divergence between the "
              "algorithm's table and the MPU registers.</p>\n",
              f);
        return;
    }
    fputs("<div class=\"scroll\"><table class=\"data findings-data\"><thead><tr>"
          "<th class=\"n\">event</th><th>kind</th><th>text</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < r->nnotes; k++) {
        const struct replay_note *n = &r->notes[k];
        fprintf(f, "<tr><td class=\"n\">%ld</td><td class=\"k-finding\">%s</td><td>", n->event,
                n->id == MM_MSG_COUNT ? "table_hw_divergence" : mm_msg_name(n->id));
        rp_text(f, n->text);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void mismatches(FILE *f, const struct replay *r)
{
    count_line(f, "Expectation mismatches", r->expect_failed, r->nmismatches);
    if (!r->nmismatches) {
        fprintf(f, "<p class=\"note\">%llu events with expectations checked, all met.</p>\n",
                (unsigned long long)r->expect_checked);
        return;
    }
    fputs("<div class=\"scroll\"><table class=\"data mismatches-data\"><thead><tr>"
          "<th class=\"n\">event</th><th class=\"n\">line</th><th>text</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < r->nmismatches; k++) {
        const struct replay_mismatch *m = &r->mismatches[k];
        fprintf(f, "<tr><td class=\"n\">%ld</td><td class=\"n\">", m->event);
        if (m->line > 0)
            fprintf(f, "%d", m->line);
        fputs("</td><td class=\"k-mismatch\">", f);
        rp_text(f, m->text);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

/* The guest stopped inside a call: how, where, and the engine's full report. */
static void guest_stop(FILE *f, const struct replay_guest_stop *g)
{
    fprintf(f, "<h3 id=\"stop\" class=\"k-stop\">Guest stop at event %ld</h3>\n"
               "<dl class=\"facts\"><dt>call</dt><dd>%s, adapter symbol <code>",
            g->event, trace_op_name(g->op));
    rp_text(f, g->call);
    fputs("</code></dd><dt>stop</dt><dd>", f);
    rp_text(f, g->kind);
    fputs(": ", f);
    rp_text(f, g->what);
    fprintf(f, "</dd><dt>pc</dt><dd><code>0x%llx</code> ", (unsigned long long)g->pc);
    rp_text(f, g->where);
    if (g->insn[0]) {
        fputs(": <code>", f);
        rp_text(f, g->insn);
        fputs("</code>", f);
    }
    fputs("</dd>", f);
    if (g->source[0]) {
        fputs("<dt>source</dt><dd><code>", f);
        rp_text(f, g->source);
        fputs("</code></dd>", f);
    }
    if (g->has_fault)
        fprintf(f, "<dt>fault</dt><dd>%s of %u bytes at <code>0x%llx</code>: %s, ESR "
                   "<code>0x%llx</code>, FAR <code>0x%llx</code></dd>",
                g->access, g->size, (unsigned long long)g->addr, mpu_fault_name(g->fault.fault),
                (unsigned long long)g->fault.esr, (unsigned long long)g->fault.far);
    fprintf(f, "<dt>instructions</dt><dd>%llu executed by the call</dd></dl>\n",
            (unsigned long long)g->insns);
    if (g->report[0]) {
        fputs("<details open><summary>The engine's report</summary><pre class=\"mono\">", f);
        rp_text(f, g->report);
        fputs("</pre></details>\n", f);
    }
}

void rp_findings(FILE *f, const struct replay *r, const struct report_collector *c)
{
    rp_section_begin(f, "findings", "Faults and findings");
    if (r->guest_stop.event >= 0)
        guest_stop(f, &r->guest_stop);
    faults(f, c);
    failed(f, c);
    notes(f, r);
    mismatches(f, r);
    rp_section_end(f);
}
