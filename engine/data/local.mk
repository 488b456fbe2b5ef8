## engine/data/local.mk -- values, vectors and the JSON walker with its readers
libliq_la_SOURCES += \
	engine/data/val.c engine/data/val.h engine/data/vec.h \
	engine/data/json_walk.c engine/data/json_walk.h \
	engine/data/json.c engine/data/json.h engine/data/jdom.c engine/data/jdom.h
EXTRA_DIST += engine/data/README
