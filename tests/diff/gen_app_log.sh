#!/bin/sh
# gen_app_log.sh -- writes a deterministic, realistic JSON-lines application log to stdout
#
# usage: gen_app_log.sh [LINES [SEED]]   (default 4000 lines, seed 20240301)
#
# Each line is one JSON object: ts (ISO 8601, 2024-03-01, increasing), level (ERROR 5%,
# WARN 15%, INFO 60%, DEBUG 20%), service (6 names), msg, latency (a JSON number, sometimes
# with .5; about 6% missing, 3% a numeric string such as "250", 1% the string "n/a"), http
# (nested: method, path, status; about 10% missing), user (nested: id, geo.country; about 20%
# missing), tags (an array, about 30% of lines) and request_id. About 1% of lines are plain
# text instead of JSON. The same arguments always give the same bytes: the random numbers
# come from a Park-Miller generator written out in awk, so any POSIX awk (gawk, mawk, busybox)
# produces the same file.
set -eu
n=${1:-4000}
seed=${2:-20240301}
awk -v n="$n" -v seed="$seed" '
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
BEGIN {
    state = seed % 2147483647
    if (state <= 0) state = 1
    split("api web db auth billing search", svc, " ")
    split("GET POST PUT DELETE", meth, " ")
    split("/users /orders /login /search /health /cart/items", path, " ")
    split("DE US FR JP BR IN", ctry, " ")
    split("beta canary eu-west internal mobile", tagw, " ")
    nm = split("connection refused|upstream timeout|request completed|cache miss|" \
               "user logged in|payment declined|slow query|retrying request", msgs, "|")
    for (i = 0; i < n; i++) {
        t = i * 13 + rnd(13)
        hh = int(t / 3600); mm = int((t % 3600) / 60); ss = t % 60; ms = rnd(1000)
        ts = sprintf("2024-03-01T%02d:%02d:%02d.%03dZ", hh, mm, ss, ms)
        s = svc[1 + rnd(6)]
        if (rnd(100) == 0) {
            printf "%s [%s] plain text line %d: worker heartbeat\n", ts, s, i
            continue
        }
        r = rnd(100)
        level = r < 5 ? "ERROR" : r < 20 ? "WARN" : r < 80 ? "INFO" : "DEBUG"
        msg = msgs[1 + rnd(nm)]
        line = sprintf("{\"ts\":\"%s\",\"level\":\"%s\",\"service\":\"%s\",\"msg\":\"%s\"", \
                       ts, level, s, msg)
        r = rnd(100)
        base = rnd(2000) + (level == "ERROR" ? 1000 : 0)
        if (r < 6)
            ;
        else if (r < 9)
            line = line sprintf(",\"latency\":\"%d\"", base)
        else if (r == 9)
            line = line ",\"latency\":\"n/a\""
        else if (rnd(4) == 0)
            line = line sprintf(",\"latency\":%d.5", base)
        else
            line = line sprintf(",\"latency\":%d", base)
        if (rnd(10) != 0) {
            r = rnd(100)
            st = r < 70 ? 200 : r < 78 ? 201 : r < 82 ? 204 : r < 85 ? 301 : r < 93 ? 404 : \
                 r < 97 ? 500 : 503
            line = line sprintf(",\"http\":{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d}", \
                                meth[1 + rnd(4)], path[1 + rnd(6)], st)
        }
        if (rnd(5) != 0)
            line = line sprintf(",\"user\":{\"id\":\"u%d\",\"geo\":{\"country\":\"%s\"}}", \
                                rnd(300), ctry[1 + rnd(6)])
        if (rnd(10) < 3) {
            k = 1 + rnd(3)
            tl = ""
            for (j = 0; j < k; j++)
                tl = tl (j ? "," : "") "\"" tagw[1 + rnd(5)] "\""
            line = line ",\"tags\":[" tl "]"
        }
        printf "%s,\"request_id\":\"req-%06d\"}\n", line, i
    }
}'
