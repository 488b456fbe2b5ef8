## parser/local.mk -- bison grammar (generated: parser/grammar.c), AST, function table, sema

libliq_la_SOURCES += \
	parser/ast.c parser/ast.h parser/ast_kinds.def \
	parser/parse.h \
	parser/func.c parser/func.h parser/functions.def \
	parser/sema.c parser/sema.h \
	parser/xcmd.c parser/xcmd.h

EXTRA_DIST += parser/README
