## cli/local.mk -- the liq executable, its man page and its bash completion
##
## The CLI's own modules join libliq (engine/local.mk lists the first ones), so the golden-test
## runner, which calls cli_main in-process, links exactly what liq runs.

bin_PROGRAMS += liq
liq_SOURCES = cli/main.c
liq_LDADD = libliq.la $(LIQ_LIBS)

libliq_la_SOURCES += \
	cli/query.c cli/query.h cli/progress.c cli/progress.h \
	cli/out_chart.c cli/out_chart.h cli/out_svg.c

dist_man1_MANS = docs/liq.1

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = docs/bash-completion/liq

EXTRA_DIST += cli/README docs/README docs/pattern.md
