## engine/plan/local.mk -- planning: checked AST -> slots, operators, pipelines; prefilters
libliq_la_SOURCES += \
	engine/plan/build.c engine/plan/build.h engine/plan/expr_compile.c \
	engine/plan/expr_compile.h engine/plan/fpat_compile.c engine/plan/fpat_compile.h \
	engine/plan/prefilter.c engine/plan/prefilter.h \
	engine/plan/defaults.c engine/plan/defaults.h
EXTRA_DIST += engine/plan/README
