/* test_esc.c -- unit tests of base/esc: the one string escaper per output syntax
 *
 * Each escaper is checked on its own rules (control characters, quotes, backslashes, invalid
 * UTF-8, non-ASCII, empty, very long), and against the escaper it replaced (issue 12), kept
 * below byte for byte as an oracle: out_json_string (cli/out_json.c), csv_field and tsv_field
 * (cli/out_csv.c), cell (cli/out_table.c) and xml_text (cli/out_svg.c). Their output must be
 * the same on every input: fixed cases, a special byte at every offset of plain runs (the
 * 8-byte scan's edges), 1 MiB strings, and 200,000 random strings over an alphabet of the
 * bytes each syntax cares about. The JSON text of maps and lists (jdom.c) and split() had
 * escapers of their own that passed invalid UTF-8 through; they agree with esc_json on valid
 * UTF-8 and now give U+FFFD on invalid UTF-8, which the last cases pin.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/buf.h"
#include "base/esc.h"
#include "base/span.h"

typedef void (*EscFn)(LiqBuf *b, const char *s, size_t n);

/* ===== The escapers before issue 12 (oracles) ===== */

static void old_json(LiqBuf *b, const char *s, size_t len) /* cli/out_json.c */
{
    static const char hex[] = "0123456789abcdef";
    buf_addc(b, '"');
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 &&
                   s[j] != '"' && s[j] != '\\')
                j++;
            buf_add(b, s + i, j - i);
            i = j;
            continue;
        }
        if (c < 0x80) {
            switch (c) {
            case '"':
                buf_add(b, "\\\"", 2);
                break;
            case '\\':
                buf_add(b, "\\\\", 2);
                break;
            case '\n':
                buf_add(b, "\\n", 2);
                break;
            case '\r':
                buf_add(b, "\\r", 2);
                break;
            case '\t':
                buf_add(b, "\\t", 2);
                break;
            default: {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_add(b, u, 6);
            }
            }
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = span_utf8_decode(s + i, len - i, &adv);
        if (cp == 0xFFFD && adv == 1)
            buf_add(b, "\xEF\xBF\xBD", 3);
        else
            buf_add(b, s + i, adv);
        i += adv;
    }
    buf_addc(b, '"');
}

static void old_jdom_json(LiqBuf *b, const char *s, size_t n) /* engine/data/jdom.c, k_str.c */
{
    static const char hex[] = "0123456789abcdef";
    buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else if (c == '\n') {
            buf_add(b, "\\n", 2);
        } else if (c == '\t') {
            buf_add(b, "\\t", 2);
        } else if (c == '\r') {
            buf_add(b, "\\r", 2);
        } else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, u, 6);
        } else {
            buf_addc(b, (char)c);
        }
    }
    buf_addc(b, '"');
}

static void old_csv(LiqBuf *b, const char *s, size_t n) /* cli/out_csv.c */
{
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        buf_add(b, s, n);
        return;
    }
    buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_addc(b, '"');
        buf_addc(b, s[i]);
    }
    buf_addc(b, '"');
}

static void old_tsv(LiqBuf *b, const char *s, size_t n) /* cli/out_csv.c */
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        default:
            buf_addc(b, s[i]);
        }
    }
}

static void old_term(LiqBuf *b, const char *s, size_t n) /* cli/out_table.c */
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_add(b, "\\n", 2);
        else if (c == '\t')
            buf_add(b, "\\t", 2);
        else if (c == '\r')
            buf_add(b, "\\r", 2);
        else if (c < 0x20 || c == 0x7F) {
            char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_add(b, x, 4);
        } else if (c < 0x80) {
            buf_addc(b, (char)c);
        } else {
            size_t adv;
            uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
            if (cp == 0xFFFD && adv == 1) {
                buf_add(b, "\xEF\xBF\xBD", 3);
            } else if (cp < 0xA0) {
                char x[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15]};
                buf_add(b, x, 6);
            } else {
                buf_add(b, s + i, adv);
            }
            i += adv;
            continue;
        }
        i++;
    }
}

static void old_xml(LiqBuf *b, const char *s, size_t n) /* cli/out_svg.c, without its cut */
{
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
        if ((cp == 0xFFFD && adv == 1) || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F ||
            cp == 0xFFFE || cp == 0xFFFF)
            buf_add(b, "\xEF\xBF\xBD", 3);
        else if (cp == '&')
            buf_adds(b, "&amp;");
        else if (cp == '<')
            buf_adds(b, "&lt;");
        else if (cp == '>')
            buf_adds(b, "&gt;");
        else if (cp == '"')
            buf_adds(b, "&quot;");
        else if (cp == '\'')
            buf_adds(b, "&#39;");
        else if (cp == '\n' || cp == '\t')
            buf_addc(b, ' ');
        else
            buf_add(b, s + i, adv);
        i += adv;
    }
}

/* ===== Helpers ===== */

static const struct {
    const char *name;
    EscFn now, before;
} pairs[] = {
    {"json", esc_json, old_json}, {"csv", esc_csv, old_csv}, {"tsv", esc_tsv, old_tsv},
    {"term", esc_term, old_term}, {"xml", esc_xml, old_xml},
};
enum { NPAIRS = sizeof(pairs) / sizeof(pairs[0]) };

/* f(s, n) must be exactly want (wn bytes). */
static void check_n(EscFn f, const char *s, size_t n, const char *want, size_t wn)
{
    LiqBuf b = {0};
    buf_adds(&b, "<"); /* escapers append: what is there stays */
    f(&b, s, n);
    if (b.len != wn + 1 || memcmp(b.p + 1, want, wn) != 0 || b.p[0] != '<')
        fail_msg("escaped %zu bytes to %zu bytes '%.*s', expected %zu bytes '%.*s'", n, b.len - 1,
                 (int)(b.len - 1), b.p + 1, wn, (int)wn, want);
    buf_free(&b);
}

static void check(EscFn f, const char *s, const char *want)
{
    check_n(f, s, strlen(s), want, strlen(want));
}

/* The escaper of pairs[k] gives what it gave before issue 12. */
static void same(int k, const char *s, size_t n)
{
    LiqBuf a = {0}, b = {0};
    pairs[k].now(&a, s, n);
    pairs[k].before(&b, s, n);
    if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0)) {
        char hex[3 * 64 + 1] = "";
        for (size_t i = 0; i < n && i < 64; i++)
            snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)s[i]);
        fail_msg("%s of %zu bytes [%s]: %zu bytes now, %zu before", pairs[k].name, n, hex, a.len,
                 b.len);
    }
    buf_free(&a);
    buf_free(&b);
}

/* Inputs with the bytes every syntax cares about, valid and invalid UTF-8 of every kind. */
static const char *const fixed[] = {
    "",
    "plain text",
    " lead",
    "trail ",
    " ",
    "a,b",
    "say \"hi\"",
    "\"",
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "cr\rlf\r\n",
    "\x01\x02\x1f\x7f",
    "esc\x1b[31mred",
    "&<>\"'",
    "caf\xc3\xa9",                      /* é */
    "\xe6\x97\xa5\xe6\x9c\xac",         /* 日本 */
    "\xf0\x9f\x98\x80",                 /* U+1F600 */
    "\xe2\x80\xa8\xe2\x80\xa9",         /* U+2028 U+2029 */
    "\xc2\x85\xc2\x9b\xc2\x9f\xc2\xa0", /* C1 controls, then NBSP */
    "\xef\xbf\xbd",                     /* U+FFFD as such */
    "\xef\xbf\xbe\xef\xbf\xbf",         /* U+FFFE U+FFFF */
    "\xff",
    "a\xffz",
    "\x80",                 /* lone continuation */
    "\xc3",                 /* truncated */
    "\xe6\x97",             /* truncated */
    "\xc0\x80",             /* overlong NUL */
    "\xe0\x80\xaf",         /* overlong '/' */
    "\xed\xa0\x80",         /* surrogate U+D800 */
    "\xf4\x90\x80\x80",     /* past U+10FFFF */
    "\xf8\x88\x80\x80\x80", /* five-byte form */
    "\xc3\x28",             /* bad continuation */
};
enum { NFIXED = sizeof(fixed) / sizeof(fixed[0]) };

/* ===== JSON ===== */

static void test_json_rules(void **state)
{
    (void)state;
    check(esc_json, "", "\"\"");
    check_n(esc_json, NULL, 0, "\"\"", 2);
    check(esc_json, "plain", "\"plain\"");
    check(esc_json, "say \"hi\" \\ok", "\"say \\\"hi\\\" \\\\ok\"");
    check(esc_json, "a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    check(esc_json, "\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
    check_n(esc_json, "a\0b", 3, "\"a\\u0000b\"", 10);
    check(esc_json, "del\x7f", "\"del\x7f\""); /* JSON does not ask DEL to be escaped */
    check(esc_json, "/", "\"/\"");
    check(esc_json, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
          "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"");
    check(esc_json, "\xe2\x80\xa8", "\"\xe2\x80\xa8\""); /* U+2028 is valid in JSON text */
    check(esc_json, "\xc2\x85", "\"\xc2\x85\"");         /* C1: valid JSON as it is */
    check(esc_json, "\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
}

static void test_json_invalid_utf8(void **state)
{
    (void)state;
    /* one U+FFFD per byte that is not part of a valid sequence */
    check(esc_json, "a\xffz", "\"a\xef\xbf\xbdz\"");
    check(esc_json, "\x80", "\"\xef\xbf\xbd\"");
    check(esc_json, "\xc3", "\"\xef\xbf\xbd\"");
    check(esc_json, "\xe6\x97", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    check(esc_json, "\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    check(esc_json, "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    check(esc_json, "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    check(esc_json, "\xc3\x28", "\"\xef\xbf\xbd(\"");
    check(esc_json, "\xff\"", "\"\xef\xbf\xbd\\\"\"");
}

/* The escaper of maps, lists and split() passed invalid UTF-8 through; esc_json, which
 * replaces it, now writes their JSON text too. Valid UTF-8 comes out as before. */
static void test_json_replaces_the_jdom_escaper(void **state)
{
    (void)state;
    for (int i = 0; i < NFIXED; i++) {
        const char *s = fixed[i];
        size_t n = strlen(s);
        LiqBuf a = {0}, b = {0};
        esc_json(&a, s, n);
        old_jdom_json(&b, s, n);
        int valid = 1;
        for (size_t k = 0, adv; k < n; k += adv) {
            uint32_t cp = span_utf8_decode(s + k, n - k, &adv);
            valid &= !(cp == 0xFFFD && adv == 1);
        }
        int eq = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
        if (valid != eq)
            fail_msg("fixed[%d]: valid UTF-8 %d, same as the jdom escaper %d", i, valid, eq);
        buf_free(&a);
        buf_free(&b);
    }
    check(esc_json, "x\xffy", "\"x\xef\xbf\xbdy\""); /* was "x\xffy": not valid JSON text */
}

/* ===== CSV and TSV ===== */

static void test_csv_rules(void **state)
{
    (void)state;
    check(esc_csv, "", "");
    check_n(esc_csv, NULL, 0, "", 0);
    check(esc_csv, "plain", "plain");
    check(esc_csv, "a,b", "\"a,b\"");
    check(esc_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    check(esc_csv, "\"", "\"\"\"\"");
    check(esc_csv, "a\nb", "\"a\nb\"");
    check(esc_csv, "a\rb", "\"a\rb\"");
    check(esc_csv, " lead", "\" lead\"");
    check(esc_csv, "trail ", "\"trail \"");
    check(esc_csv, " ", "\" \"");
    check(esc_csv, "in side", "in side");
    check(esc_csv, "tab\there", "tab\there");     /* tabs need no quotes */
    check(esc_csv, "back\\slash", "back\\slash"); /* nor backslashes */
    check(esc_csv, "\x01\x7f", "\x01\x7f");       /* control bytes pass */
    check(esc_csv, "a\xffz", "a\xffz");           /* invalid UTF-8 passes (L25) */
    check(esc_csv, "\xe6\x97\xa5,\xff", "\"\xe6\x97\xa5,\xff\"");
    check(esc_csv, "0123456789abcdef0123456789abcdef\"",
          "\"0123456789abcdef0123456789abcdef\"\"\"");
}

static void test_tsv_rules(void **state)
{
    (void)state;
    check(esc_tsv, "", "");
    check_n(esc_tsv, NULL, 0, "", 0);
    check(esc_tsv, "plain, \"quoted\"", "plain, \"quoted\"");
    check(esc_tsv, "a\tb\nc\rd\\e", "a\\tb\\nc\\rd\\\\e");
    check(esc_tsv, "\\", "\\\\");
    check(esc_tsv, "\x01\x7f\x1b", "\x01\x7f\x1b"); /* other controls pass */
    check(esc_tsv, "a\xffz\xe6\x97\xa5", "a\xffz\xe6\x97\xa5");
    check(esc_tsv, "0123456789abcdef\t", "0123456789abcdef\\t");
}

/* ===== Terminal ===== */

static void test_term_rules(void **state)
{
    (void)state;
    check(esc_term, "", "");
    check_n(esc_term, NULL, 0, "", 0);
    check(esc_term, "plain \"text\" \\ ok", "plain \"text\" \\ ok");
    check(esc_term, "a\nb\tc\rd", "a\\nb\\tc\\rd");
    check(esc_term, "esc\x1b[31m", "esc\\x1b[31m");
    check_n(esc_term, "\0\x01\x1f\x7f", 4, "\\x00\\x01\\x1f\\x7f", 16);
    check(esc_term, "c\xc2\x85x\xc2\x9b", "c\\u0085x\\u009b");
    check(esc_term, "\xc2\xa0", "\xc2\xa0"); /* NBSP is no control */
    check(esc_term, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
          "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
    check(esc_term, "e\xffg", "e\xef\xbf\xbdg");
    check(esc_term, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    check(esc_term, "\xc3", "\xef\xbf\xbd");
}

/* ===== XML ===== */

static void test_xml_rules(void **state)
{
    (void)state;
    check(esc_xml, "", "");
    check(esc_xml, "a & b < c > d \"e\" 'f'", "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
    check(esc_xml, "tab\tline\n", "tab line ");
    check(esc_xml, "cr\r\x01\x7f", "cr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    check(esc_xml, "\xef\xbf\xbe\xef\xbf\xbf", "\xef\xbf\xbd\xef\xbf\xbd");
    check(esc_xml, "bad\xff", "bad\xef\xbf\xbd");
    check(esc_xml, "\xc2\x85 caf\xc3\xa9 \xf0\x9f\x98\x80",
          "\xc2\x85 caf\xc3\xa9 \xf0\x9f\x98\x80");
    check(esc_xml, "back\\slash", "back\\slash");
}

/* ===== Every escaper against the one it replaced ===== */

static void test_same_on_fixed_inputs(void **state)
{
    (void)state;
    for (int k = 0; k < NPAIRS; k++)
        for (int i = 0; i < NFIXED; i++)
            same(k, fixed[i], strlen(fixed[i]));
}

/* One special byte (or sequence) at every offset of plain text 0-40 bytes long: the edges of
 * the 8-byte scan. */
static void test_same_at_every_offset(void **state)
{
    (void)state;
    static const char *const specials[] = {
        "\"",   "\\",       "\n",           "\t",       "\r",  ",", " ",
        "\x01", "\x7f",     "\x1f",         "&",        "<",   "'", "\xc3\xa9",
        "\xff", "\xc2\x85", "\xe2\x80\xa8", "\xe6\x97", "\x80"};
    char s[64];
    for (size_t sp = 0; sp < sizeof(specials) / sizeof(specials[0]); sp++) {
        size_t sn = strlen(specials[sp]);
        for (size_t len = 0; len <= 40; len++)
            for (size_t at = 0; at <= len; at++) {
                memset(s, 'x', sizeof(s));
                memcpy(s + at, specials[sp], sn);
                for (int k = 0; k < NPAIRS; k++)
                    same(k, s, len + sn);
            }
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 32);
}

/* Random strings over the bytes the syntaxes care about, and over all 256 bytes. */
static void test_same_on_random_inputs(void **state)
{
    (void)state;
    static const unsigned char alphabet[] = {
        'a',  'Z',  '0',  ' ',  ',',  '"',  '\\', '\t', '\n', '\r', 0x00, 0x01, 0x1b, 0x1f,
        0x7f, '&',  '<',  '>',  '\'', 0xc2, 0xc3, 0x85, 0xa9, 0xa0, 0xe2, 0xe6, 0x80, 0x97,
        0xa8, 0xed, 0xef, 0xbf, 0xbe, 0xbd, 0xf0, 0xf4, 0x90, 0x9f, 0xff, 0xc0};
    char s[200];
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = next() % sizeof(s);
        int any = iter % 4 == 0; /* one in four over all bytes */
        for (size_t i = 0; i < n; i++) {
            unsigned r = next();
            if (any)
                s[i] = (char)(r & 0xff);
            else if (r % 4 == 0) /* a special one byte in four, plain letters between */
                s[i] = (char)alphabet[(r >> 8) % sizeof(alphabet)];
            else
                s[i] = (char)('a' + r % 26);
        }
        for (int k = 0; k < NPAIRS; k++)
            same(k, s, n);
    }
}

/* 1 MiB: plain text with specials sprinkled in, and one without any. */
static void test_same_on_long_inputs(void **state)
{
    (void)state;
    size_t n = (size_t)1 << 20;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + i % 26);
    for (int k = 0; k < NPAIRS; k++)
        same(k, s, n);
    LiqBuf b = {0};
    esc_json(&b, s, n);
    assert_int_equal(b.len, n + 2);
    b.len = 0;
    esc_csv(&b, s, n);
    assert_int_equal(b.len, n);
    buf_free(&b);
    static const char *const sprinkle[] = {"\"", "\n", "\xff", "\xe6\x97\xa5",
                                           ",",  "\t", "\x01", "&"};
    for (size_t i = 7, j = 0; i + 4 < n; i += 997, j++) {
        const char *sp = sprinkle[j % (sizeof(sprinkle) / sizeof(sprinkle[0]))];
        memcpy(s + i, sp, strlen(sp));
    }
    for (int k = 0; k < NPAIRS; k++)
        same(k, s, n);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_rules),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_json_replaces_the_jdom_escaper),
        cmocka_unit_test(test_csv_rules),
        cmocka_unit_test(test_tsv_rules),
        cmocka_unit_test(test_term_rules),
        cmocka_unit_test(test_xml_rules),
        cmocka_unit_test(test_same_on_fixed_inputs),
        cmocka_unit_test(test_same_at_every_offset),
        cmocka_unit_test(test_same_on_random_inputs),
        cmocka_unit_test(test_same_on_long_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
