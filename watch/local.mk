## watch/local.mk -- liq watch: metric filters, CloudWatch alarms, actions, Prometheus; linked
## into liq
##
## libliqwatch is a client of libliq's public header (engine/liq.h), base/ and the JSON reader
## (engine/data/jdom.h), as libliqserve; cli/main.c dispatches 'liq watch' to watch_main
## (docs/watch.md).

noinst_LTLIBRARIES += libliqwatch.la
libliqwatch_la_SOURCES = \
	watch/watch.h \
	watch/metric.c watch/metric.h \
	watch/prom.c watch/prom.h \
	watch/alarm.c watch/alarm.h \
	watch/action.c watch/action.h \
	watch/defs.c watch/defs.h \
	watch/main.c
libliqwatch_la_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
libliqwatch_la_LIBADD = $(MHD_LIBS) $(CURL_LIBS)

EXTRA_DIST += watch/README docs/watch.md
