#ifndef MPUSIM_TESTS_REPORT_HELPERS_H
#define MPUSIM_TESTS_REPORT_HELPERS_H
/* Shared by the tests of the HTML report. */

/* References a browser would fetch from an HTML text: src= and @import anywhere, <link>,
 * <script>, <iframe>, <object>, <embed>, and href or url() to anything but a fragment (#id). */
unsigned report_external_refs(const char *html);

/* The whole file at path, NUL-terminated (caller frees), or NULL if it cannot be read. */
char *report_read_file(const char *path);

/* Rows (<tr><td...) of the first <table> after the first occurrence of marker in html. */
unsigned report_table_rows(const char *html, const char *marker);
#endif
