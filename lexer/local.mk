## lexer/local.mk -- the flex lexers of queries and filter patterns (generated: lexer/lex.c,
## lexer/fpat.c), built with the bison grammars they read their tokens from

noinst_LTLIBRARIES += libliqfront.la libliqfpat.la
libliqfront_la_SOURCES = lexer/lex.l parser/grammar.y
libliqfront_la_CFLAGS = $(LIQ_CFLAGS) -Wall -Wno-unused-function -Wno-sign-compare $(PTHREAD_CFLAGS)
BUILT_SOURCES += parser/grammar.h parser/fpat_grammar.h

# the filter-pattern lexer and grammar: a library of their own, since automake gives one
# library one lexer output name
libliqfpat_la_SOURCES = lexer/fpat.l parser/fpat_grammar.y parser/fpat.h parser/fpat_int.h
libliqfpat_la_CFLAGS = $(libliqfront_la_CFLAGS)

libliq_la_SOURCES += lexer/keywords.def

EXTRA_DIST += lexer/README
