## lexer/local.mk -- spans, diagnostics and the flex lexer (generated: lexer/lex.c)

noinst_LTLIBRARIES += libliqfront.la libliqfpat.la
libliqfront_la_SOURCES = lexer/lex.l parser/grammar.y
libliqfront_la_CFLAGS = $(LIQ_CFLAGS) -Wall -Wno-unused-function -Wno-sign-compare $(PTHREAD_CFLAGS)
BUILT_SOURCES += parser/grammar.h parser/fpat_grammar.h

# the filter-pattern lexer and grammar: a library of their own, since automake gives one
# library one lexer output name
libliqfpat_la_SOURCES = lexer/fpat.l parser/fpat_grammar.y parser/fpat.h parser/fpat_int.h
libliqfpat_la_CFLAGS = $(libliqfront_la_CFLAGS)


libliq_la_SOURCES = \
	lexer/span.c lexer/span.h \
	lexer/diag.c lexer/diag.h \
	lexer/keywords.def

EXTRA_DIST += lexer/README
