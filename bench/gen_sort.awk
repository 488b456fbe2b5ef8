# gen_sort.awk -- deterministic narrow JSON records for the liq benchmark's sort (Q10).
#
# usage: mawk -v rows=N [-v seed=S] -f gen_sort.awk > sort.jsonl
#
# Writes N lines {"k":K,"s":"word"} (about 29 bytes a line): K uniform over 0-999999 (so about
# ten rows share each K at 10 M rows) and s six random lower-case letters; the query sorts by
# k descending, then s. Lower-case words of one length sort the same under liq's natural
# order and byte order (sort(1) with LC_ALL=C, DuckDB's default collation).
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
BEGIN {
    if (seed == "") seed = 1010
    state = seed % 2147483647; if (state <= 0) state = 1
    for (i = 0; i < rows; i++) {
        s = ""
        for (j = 0; j < 6; j++) s = s substr("abcdefghijklmnopqrstuvwxyz", 1 + rnd(26), 1)
        printf "{\"k\":%d,\"s\":\"%s\"}\n", rnd(1000000), s
    }
}
