# gen_app_log.awk -- deterministic JSON-lines application log for the liq benchmark.
#
# usage: mawk -v bytes=N [-v seed=S] -f gen_app_log.awk > app.jsonl
#
# Writes JSON objects, one a line, until at least `bytes` bytes are out. The same
# arguments always give the same bytes (Park-Miller generator in plain awk; every number
# stays below 2^53, so mawk and gawk agree). Each line has, in this key order:
#   timestamp  ISO 8601 with milliseconds, increasing, starting 2024-03-01T00:00:00Z and
#              spanning about one day for the default 1 GiB (about 50 lines a second)
#   level      ERROR 3%, WARN 10%, INFO 70%, DEBUG 17%
#   service    one of 12 names
#   host       ip-10-0-X-Y (256 hosts)
#   userId     high cardinality: 10% of lines go to 20 "hot" users with Zipf weights (so
#              the top 10 have clearly distinct counts), 90% uniform over 3,000,000 ids
#   latency    a JSON number (ms): integer 80%, with two decimals 15%, missing 5%
#   http       nested object {method, path, status}
#   ctx        nested object {region, trace:{id, sampled}} (absent on 25% of lines)
#   msg        message text; some carry "NNNms", "connection refused/reset by peer",
#              "payment declined" in mixed case, ... (the regex benchmark queries count them)
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
function hex(n,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr("0123456789abcdef", 1 + rnd(16), 1); return s }
BEGIN {
    if (seed == "") seed = 20240301
    state = seed % 2147483647; if (state <= 0) state = 1
    nsvc = split("api web db auth billing search checkout cart inventory notify gateway report", svc, " ")
    split("GET GET GET POST POST PUT DELETE PATCH", meth, " ")
    npath = split("/api/v1/users /api/v1/orders /api/v1/login /api/v1/search /health /api/v1/cart/items /api/v2/payments /static/app.js", path, " ")
    nreg = split("us-east-1 us-west-2 eu-west-1 eu-central-1 ap-southeast-1", region, " ")
    split("Payment declined|payment DECLINED|PAYMENT declined|payment declined", pay, "|")
    # hot users: cumulative Zipf weights 1/k, k = 1..20, scaled to 10000
    hsum = 0; for (k = 1; k <= 20; k++) hsum += 1 / k
    acc = 0; for (k = 1; k <= 20; k++) { acc += 1 / k; hcum[k] = int(acc / hsum * 10000) }
    est = bytes / 297; if (est < 1) est = 1
    step = 86400000 / est            # ms between lines, so the log spans about a day
    out = 0; i = 0
    while (out < bytes) {
        t = int(i * step) + rnd(int(step) + 1)
        day = 1 + int(t / 86400000); r = t % 86400000
        ts = sprintf("2024-03-%02dT%02d:%02d:%02d.%03dZ", day, int(r / 3600000), int(r % 3600000 / 60000), int(r % 60000 / 1000), r % 1000)
        r = rnd(100)
        level = r < 3 ? "ERROR" : r < 13 ? "WARN" : r < 83 ? "INFO" : "DEBUG"
        s = svc[1 + rnd(nsvc)]
        host = sprintf("ip-10-0-%d-%d", rnd(16), rnd(16))
        if (rnd(10) == 0) {
            h = rnd(10000); for (k = 1; hcum[k] <= h && k < 20; k++) ; user = sprintf("u%07d", k)
        } else
            user = sprintf("u%07d", 100 + rnd(3000000))
        lat = rnd(100) < 60 ? 5 + rnd(95) : rnd(100) < 85 ? 100 + rnd(900) : 1000 + rnd(9000)
        if (level == "ERROR") lat += 500
        r = rnd(100)
        latf = r < 5 ? "" : r < 20 ? sprintf(",\"latency\":%d.%02d", lat, rnd(100)) : sprintf(",\"latency\":%d", lat)
        r = rnd(100)
        st = r < 75 ? 200 : r < 82 ? 201 : r < 85 ? 204 : r < 88 ? 301 : r < 94 ? 404 : r < 98 ? 500 : 503
        if (level == "ERROR" && st < 500) st = 500
        p = path[1 + rnd(npath)]
        r = rnd(100)
        if (level == "ERROR") {
            k = rnd(4)
            msg = k == 0 ? sprintf("connection refused by peer 10.1.%d.%d", rnd(256), rnd(256)) : \
                  k == 1 ? sprintf("connection reset by peer after %d bytes", rnd(65536)) : \
                  k == 2 ? sprintf("%s for order %d: insufficient funds", pay[1 + rnd(4)], rnd(1000000)) : \
                           sprintf("upstream timeout after %dms on %s", lat, p)
        } else if (level == "WARN") {
            k = rnd(3)
            msg = k == 0 ? sprintf("slow query took %d.%ds on table orders", rnd(10), rnd(10)) : \
                  k == 1 ? sprintf("retrying request to %s (attempt %d)", s, 1 + rnd(3)) : \
                           sprintf("cache miss for key session:%s", hex(8))
        } else if (level == "DEBUG")
            msg = sprintf("cache lookup key=item:%d hit=%s", rnd(100000), rnd(2) ? "true" : "false")
        else
            msg = r < 70 ? sprintf("%s %s completed in %dms", meth[1 + rnd(8)], p, lat) : \
                  r < 90 ? sprintf("user %s logged in from %s", user, region[1 + rnd(nreg)]) : \
                           sprintf("queued %d jobs for batch %d", 1 + rnd(50), rnd(100000))
        line = sprintf("{\"timestamp\":\"%s\",\"level\":\"%s\",\"service\":\"%s\",\"host\":\"%s\",\"userId\":\"%s\"%s,\"http\":{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d}", \
                       ts, level, s, host, user, latf, meth[1 + rnd(8)], p, st)
        if (rnd(4) != 0)
            line = line sprintf(",\"ctx\":{\"region\":\"%s\",\"trace\":{\"id\":\"%s\",\"sampled\":%s}}", region[1 + rnd(nreg)], hex(16), rnd(10) ? "false" : "true")
        line = line ",\"msg\":\"" msg "\"}"
        print line
        out += length(line) + 1
        i++
    }
}
