## tests/watch.mk -- liq watch (issue 19): metric filters, alarms, actions, Prometheus; the
## Prometheus tests run Debian's prometheus and promtool on loopback and skip (77) without them
WATCH_SH_TESTS = \
	tests/watch/metric.sh \
	tests/watch/once.sh \
	tests/watch/prometheus.sh \
	tests/watch/promtool.sh \
	tests/watch/replay.sh
WATCH_TEST_HELPERS =

## fixed points on a live endpoint or in an OpenMetrics file (watch/prom.c, tests/watch/*.sh)
check_PROGRAMS += tests/watch/prom_serve
tests_watch_prom_serve_SOURCES = tests/watch/prom_serve.c watch/prom.c watch/prom.h
tests_watch_prom_serve_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
tests_watch_prom_serve_LDADD = libliq.la $(LIQ_LIBS) $(MHD_LIBS)

