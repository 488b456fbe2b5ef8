## tests/watch.mk -- liq watch (issue 19): metric filters, alarms, actions, Prometheus; the
## Prometheus tests run Debian's prometheus and promtool on loopback and skip (77) without them
WATCH_SH_TESTS = \
	tests/watch/actions.sh \
	tests/watch/defs.sh \
	tests/watch/follow.sh \
	tests/watch/metric.sh \
	tests/watch/once.sh \
	tests/watch/prometheus.sh \
	tests/watch/promtool.sh \
	tests/watch/replay.sh
WATCH_TEST_HELPERS = tests/watch/receiver.py

## fixed points on a live endpoint or in an OpenMetrics file (watch/prom.c, tests/watch/*.sh)
check_PROGRAMS += tests/watch/prom_serve
tests_watch_prom_serve_SOURCES = tests/watch/prom_serve.c watch/prom.c watch/prom.h
tests_watch_prom_serve_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
tests_watch_prom_serve_LDADD = libliq.la $(LIQ_LIBS) $(MHD_LIBS)

## alarm actions (watch/action.c) against a python3 HTTP receiver: tests/watch/actions.sh, its
## driver and receiver (committed in 6810cbf)
check_PROGRAMS += tests/watch/action_drv
tests_watch_action_drv_SOURCES = tests/watch/action_drv.c watch/action.c watch/action.h \
	watch/alarm.c watch/alarm.h
tests_watch_action_drv_LDADD = libliq.la $(LIQ_LIBS)
tests/watch/actions.log: tests/watch/action_drv$(EXEEXT)
