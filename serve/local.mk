## serve/local.mk -- liq serve: the CloudWatch Logs API endpoint, linked into liq
##
## libliqserve is a client of libliq's public header (engine/liq.h), base/ and the JSON reader
## (engine/data/jdom.h); cli/main.c dispatches 'liq serve' to serve_main.

noinst_LTLIBRARIES += libliqserve.la
libliqserve_la_SOURCES = \
	serve/serve.h serve/srv_int.h serve/srv.c serve/api.c serve/qry.c serve/sigv4.c \
	serve/jout.c
libliqserve_la_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
libliqserve_la_LIBADD = $(MHD_LIBS) $(CRYPTO_LIBS)

EXTRA_DIST += serve/README docs/serve.md
