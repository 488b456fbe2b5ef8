## base/local.mk -- the bottom room: buffers, spans, diagnostics, byte search (depends on nothing)

noinst_LTLIBRARIES += libliq.la
libliq_la_SOURCES = \
	base/buf.c base/buf.h \
	base/mem.c base/mem.h \
	base/span.c base/span.h \
	base/diag.c base/diag.h \
	base/memfind.c base/memfind.h \
	base/civil.c base/civil.h \
	base/num.c base/num.h \
	base/esc.c base/esc.h \
	base/words.c base/words.h

EXTRA_DIST += base/README
