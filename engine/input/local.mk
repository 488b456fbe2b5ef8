## engine/input/local.mk -- inputs: sources, decompression, formats, timestamps, seek
libliq_la_SOURCES += \
	engine/input/src.c engine/input/src.h engine/input/src_win.c engine/input/src_win.h \
	engine/input/seek.c engine/input/seek.h \
	engine/input/decomp.c engine/input/decomp.h engine/input/enc.c engine/input/enc.h \
	engine/input/fmt.c engine/input/fmt.h \
	engine/input/ts.c engine/input/ts.h engine/input/tz.c engine/input/tz.h \
	engine/input/tsfmt.c engine/input/tsfmt.h engine/input/multiline.c engine/input/multiline.h \
	engine/input/syslog.c engine/input/syslog.h \
	engine/input/dec_lambda.c engine/input/dec_lambda.h \
	engine/input/census.c engine/input/census.h \
	engine/input/tail.c engine/input/tail.h \
	engine/input/range.c engine/input/range.h
EXTRA_DIST += engine/input/README
