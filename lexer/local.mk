## lexer/local.mk -- spans, diagnostics and the flex lexer (generated: lexer/lex.c)

noinst_LTLIBRARIES += libliqfront.la
libliqfront_la_SOURCES = lexer/lex.l parser/grammar.y
libliqfront_la_CFLAGS = $(LIQ_CFLAGS) -Wall -Wno-unused-function -Wno-sign-compare $(PTHREAD_CFLAGS)
BUILT_SOURCES += parser/grammar.h


libliq_la_SOURCES = \
	lexer/span.c lexer/span.h \
	lexer/diag.c lexer/diag.h \
	lexer/keywords.def

EXTRA_DIST += lexer/README
