# gen_access_log.awk -- deterministic Apache/nginx "combined" access log for the liq benchmark.
#
# usage: mawk -v bytes=N [-v seed=S] [-v start=DAY] -f gen_access_log.awk > access.log
#
# Writes lines of the form
#   203.0.113.7 - - [01/Mar/2024:00:00:01 +0000] "GET /api/v1/items/123 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (...)"
# until at least `bytes` bytes are out, increasing in time (about a day for 1 GiB; `start`
# is the day of March 2024 to begin on). Client addresses come from 50,000 hosts, paths from
# a small set with numeric ids, status 200 most of the time (then 304, 404, 301, 500, ...),
# response sizes from 0 to ~200 KB, a referer or "-", and 10 user agents (with spaces).
# Same arguments, same bytes (Park-Miller generator in plain awk, mawk and gawk agree).
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
BEGIN {
    if (seed == "") seed = 19990101
    if (start == "") start = 1
    state = seed % 2147483647; if (state <= 0) state = 1
    split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
    split("GET GET GET GET GET POST POST HEAD PUT DELETE", meth, " ")
    npath = split("/ /index.html /api/v1/items/%d /api/v1/users/%d/orders /static/js/app.%d.js /static/css/site.css /images/p%d.png /search?q=term%d&page=2 /login /favicon.ico /robots.txt /blog/post-%d.html", path, " ")
    nref = split("- - - https://www.example.com/ https://www.google.com/search?q=liq https://news.example.org/item?id=%d https://www.example.com/blog/", ref, " ")
    nua = split("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36|" \
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15|" \
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0|" \
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1|" \
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36|" \
                "curl/8.4.0|" \
                "Googlebot/2.1 (+http://www.google.com/bot.html)|" \
                "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)|" \
                "python-requests/2.31.0|" \
                "Go-http-client/1.1", ua, "|")
    est = bytes / 185; if (est < 1) est = 1
    step = 86400000 / est
    out = 0; i = 0
    while (out < bytes) {
        t = int(i * step) + rnd(int(step) + 1)
        day = start + int(t / 86400000); r = int(t % 86400000 / 1000)
        h = rnd(50000)
        ip = sprintf("%d.%d.%d.%d", 10 + h % 200, int(h / 200) % 250, (h * 7) % 256, 1 + (h * 13) % 254)
        p = path[1 + rnd(npath)]
        if (index(p, "%d")) p = sprintf(p, rnd(5000))
        m = meth[1 + rnd(10)]
        k = rnd(1000)
        st = k < 780 ? 200 : k < 860 ? 304 : k < 920 ? 404 : k < 945 ? 301 : k < 965 ? 302 : k < 975 ? 403 : k < 990 ? 500 : k < 996 ? 502 : 503
        sz = st == 304 ? 0 : st >= 300 ? 150 + rnd(400) : rnd(100) < 90 ? 200 + rnd(20000) : 20000 + rnd(180000)
        rf = ref[1 + rnd(nref)]
        if (index(rf, "%d")) rf = sprintf(rf, rnd(100000))
        line = sprintf("%s - - [%02d/%s/2024:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %d %d \"%s\" \"%s\"", \
                       ip, day, mon[3], int(r / 3600), int(r % 3600 / 60), r % 60, m, p, st, sz, rf, ua[1 + rnd(nua)])
        print line
        out += length(line) + 1
        i++
    }
}
