# gen_wide.awk -- deterministic wide JSON records for the liq benchmark (Q7).
#
# usage: mawk -v bytes=N [-v seed=S] -f gen_wide.awk > wide.jsonl
#
# Writes flat JSON objects of 31 keys, one a line, until at least `bytes` bytes are out (about
# 420 bytes a line). Same arguments, same bytes (Park-Miller generator, as gen_app_log.awk).
# Keys, always in this order and always present (so awk peers can split on [:,]):
#   id         the line number from 1
#   s01-s03    group keys: 4 short words each (64 groups)
#   s04        "a" .. "e" (the query drops "e", about 20 %)
#   n01-n12    integers (0-999999, 0-999, 0-9, ... mixed widths), n13-n16 numbers with two
#              decimals
#   x01-x10    fields the query does not read: words, hex ids, booleans, and a nested object
#              last (x10), so the values read keep their [:,] positions
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
function hex(n,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr("0123456789abcdef", 1 + rnd(16), 1); return s }
BEGIN {
    if (seed == "") seed = 4242
    state = seed % 2147483647; if (state <= 0) state = 1
    split("red green blue amber", w1, " ")
    split("north south east west", w2, " ")
    split("alpha beta gamma delta", w3, " ")
    split("get put list delete scan batch stream", w4, " ")
    out = 0; i = 0
    while (out < bytes) {
        i++
        line = sprintf("{\"id\":%d,\"s01\":\"%s\",\"s02\":\"%s\",\"s03\":\"%s\",\"s04\":\"%s\"", \
                       i, w1[1 + rnd(4)], w2[1 + rnd(4)], w3[1 + rnd(4)], substr("abcde", 1 + rnd(5), 1))
        for (k = 1; k <= 12; k++) {
            m = k % 4 == 1 ? 1000000 : k % 4 == 2 ? 1000 : k % 4 == 3 ? 10 : 100000
            line = line sprintf(",\"n%02d\":%d", k, rnd(m))
        }
        for (k = 13; k <= 16; k++)
            line = line sprintf(",\"n%02d\":%d.%02d", k, rnd(10000), rnd(100))
        line = line sprintf(",\"x01\":\"%s\",\"x02\":\"%s\",\"x03\":%d,\"x04\":%s,\"x05\":\"%s\"", \
                            w4[1 + rnd(7)], hex(16), rnd(100000), rnd(2) ? "true" : "false", hex(8))
        line = line sprintf(",\"x06\":\"%s %s\",\"x07\":%d,\"x08\":\"%s\",\"x09\":null", \
                            w4[1 + rnd(7)], w1[1 + rnd(4)], rnd(1000000000), hex(12))
        line = line sprintf(",\"x10\":{\"k\":\"%s\",\"v\":%d}}", w3[1 + rnd(4)], rnd(1000))
        print line
        out += length(line) + 1
    }
}
