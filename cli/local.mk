## cli/local.mk -- the liq executable

bin_PROGRAMS += liq
liq_SOURCES = cli/main.c
liq_LDADD = libliq.la $(LIQ_LIBS)

EXTRA_DIST += cli/README
