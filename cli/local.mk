## cli/local.mk -- the liq executable, its man page and its bash completion
##
## The CLI's modules form libliqcli, a client of libliq's public headers (engine/liq.h); the
## golden-test runner, which calls cli_main in-process, links exactly what liq runs.

bin_PROGRAMS += liq
liq_SOURCES = cli/main.c
liq_LDADD = libliqwatch.la libliqserve.la libliqcli.la libliq.la $(MHD_LIBS) $(LIQ_LIBS)

noinst_LTLIBRARIES += libliqcli.la
libliqcli_la_SOURCES = \
	cli/cli.c cli/cli.h cli/exit_codes.def \
	cli/out.c cli/out.h cli/out_csv.c cli/out_json.c cli/out_table.c \
	cli/saved.c cli/saved.h cli/progress.c cli/progress.h \
	cli/sig.c cli/sig.h \
	cli/out_collect.c cli/out_chart.c cli/out_chart.h cli/out_svg.c \
	cli/partial.c cli/partial.h

dist_man1_MANS = docs/liq.1

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = docs/bash-completion/liq

EXTRA_DIST += cli/README docs/README docs/pattern.md

## liq-dask: one query over a Dask cluster (issue 16, docs/scale-out.md); Python 3 with
## Debian's python3-distributed, installed beside liq
bin_SCRIPTS = liq-dask
liq-dask: cli/liq-dask.py Makefile
	$(AM_V_GEN)sed -e 's|__LIQ_VERSION__|$(PACKAGE_VERSION)|' $(srcdir)/cli/liq-dask.py >$@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += liq-dask liq-dask.tmp
EXTRA_DIST += cli/liq-dask.py
