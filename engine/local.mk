## engine/local.mk -- the library behind liq.h: one fragment per room, then the public door

include engine/data/local.mk
include engine/s3/local.mk
include engine/input/local.mk
include engine/exec/local.mk
include engine/pattern/local.mk
include engine/plan/local.mk

libliq_la_SOURCES += engine/liq.c engine/liq.h engine/liq_int.h engine/fields.c engine/run.c \
	engine/partial_run.c
libliq_la_LIBADD = libliqfront.la libliqfpat.la $(CRYPTO_LIBS)

EXTRA_DIST += engine/README
libliq_la_SOURCES += engine/follow.c # liq --follow (docs/follow.md)
