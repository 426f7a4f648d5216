/* The page skeleton: document head with the one inline style sheet, sections, text helpers. */
#include "report/internal.h"

#include <inttypes.h>

/* Everything the page looks like. No web fonts, no external URL: the system font stack. */
static const char css[] =
    ":root{--fg:#1c2230;--muted:#5d6778;--bg:#f3f5f8;--card:#fff;--line:#dde1e8;"
    "--accent:#2563c9;--bad:#cf2f36;--warn:#d98200;--ok:#23955a}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1180px;margin:0 auto;padding:22px 24px 40px}\n"
    "h1{font-size:23px;margin:0 0 2px;letter-spacing:-.01em}\n"
    "h2{font-size:17px;margin:0 0 4px}\n"
    "h3{font-size:14.5px;margin:16px 0 6px}\n"
    ".sub{color:var(--muted);margin:0 0 12px}\n"
    "header.top{padding:6px 0 4px}\n"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:18px 22px;margin:16px 0;box-shadow:0 1px 3px rgba(20,30,50,.05)}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(112px,1fr));gap:10px;"
    "margin:12px 0 4px}\n"
    ".tile{border:1px solid var(--line);border-radius:8px;padding:8px 12px;background:#fafbfc}\n"
    ".tile b{display:block;font-size:21px;font-variant-numeric:tabular-nums}\n"
    ".tile span{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.05em}\n"
    ".tile.bad b{color:var(--bad)}.tile.warn b{color:var(--warn)}.tile.ok b{color:var(--ok)}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}\n"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px;"
    "margin:6px 0}\n"
    "th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "th{font-weight:600;color:var(--muted);background:#f7f8fa;position:sticky;top:0}\n"
    "td.n,th.n{text-align:right}\n"
    "tr:hover td{background:#f4f7fd}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',"
    "monospace;font-size:12.5px}\n"
    ".scroll{max-height:440px;overflow:auto;border:1px solid var(--line);border-radius:6px}\n"
    ".scroll table{margin:0;width:100%}\n"
    "svg.chart{width:100%;height:auto;display:block;margin:6px 0}\n"
    "svg text{font:11px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "fill:#5d6778}\n"
    "svg .lbl{fill:#1c2230;font-weight:600}\n"
    "svg .grid{stroke:#e9ecf1;stroke-width:1}\n"
    "svg .axis{stroke:#8a93a3;stroke-width:1}\n"
    ".legend{display:flex;gap:6px 18px;flex-wrap:wrap;font-size:12.5px;color:var(--muted);"
    "margin:4px 0 8px}\n"
    ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;"
    "margin-right:6px;border:1px solid rgba(0,0,0,.15)}\n"
    "details{margin:8px 0}details summary{cursor:pointer;color:var(--accent);font-size:13px}\n"
    ".badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;"
    "font-weight:600;margin-right:6px}\n"
    ".badge.ok{background:#e2f4e9;color:#18743f}.badge.bad{background:#fbe3e4;color:#ad2127}"
    ".badge.warn{background:#fdf0d9;color:#8f5600}\n"
    ".k-failed{color:var(--bad)}.k-fault{color:var(--fg);font-weight:600}.k-stop{color:#8b0000;font-weight:700}.k-finding{color:var(--warn)}.k-mismatch{color:#7c3aed}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:8px 24px}\n"
    ".note{color:var(--muted);font-size:12.5px}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}\n"
    "@media print{section{break-inside:avoid;box-shadow:none}}\n";

void rp_page_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"mpusim\">\n<title>",
          f);
    rp_text(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

void rp_page_end(FILE *f)
{
    fputs("<footer>Written by mpusim. Self-contained: inline SVG and CSS, nothing fetched."
          "</footer>\n</main>\n</body>\n</html>\n",
          f);
}

void rp_section_begin(FILE *f, const char *id, const char *title)
{
    fprintf(f, "<section id=\"%s\">\n<h2>", id);
    rp_text(f, title);
    fputs("</h2>\n", f);
}

void rp_section_end(FILE *f) { fputs("</section>\n", f); }

void rp_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc(' ', f); /* control characters are not allowed in HTML text */
            else
                fputc(*s, f);
        }
    }
}

const char *rp_hex(uint64_t v, char *buf, size_t cap)
{
    snprintf(buf, cap, "0x%" PRIx64, v);
    return buf;
}

const char *rp_size(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned u = 0;
    double v = (double)bytes;
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%" PRIu64 " B", bytes);
    else if (v == (double)(uint64_t)v)
        snprintf(buf, cap, "%" PRIu64 " %s", (uint64_t)v, unit[u]);
    else
        snprintf(buf, cap, "%.1f %s", v, unit[u]);
    return buf;
}
