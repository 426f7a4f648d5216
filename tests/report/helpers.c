#include "tests/report/helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cli/helpers.h"

unsigned report_external_refs(const char *html)
{
    unsigned n = count(html, "src=") + count(html, "@import") + count(html, "<link") +
                 count(html, "<script") + count(html, "<iframe") + count(html, "<object") +
                 count(html, "<embed");
    for (const char *p = html; (p = strstr(p, "href=\"")) != NULL; p += 6)
        n += p[6] != '#';
    for (const char *p = html; (p = strstr(p, "url(")) != NULL; p += 4)
        n += p[4] != '#';
    return n;
}

char *report_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *b = realloc(buf, cap *= 2);
        if (!b)
            free(buf);
        buf = b;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

unsigned report_table_rows(const char *html, const char *marker)
{
    const char *p = strstr(html, marker);
    if (!p)
        return 0;
    const char *end = strstr(p, "</table>");
    unsigned rows = 0;
    while ((p = strstr(p, "<tr><td")) != NULL && (!end || p < end)) {
        rows++;
        p++;
    }
    return rows;
}
