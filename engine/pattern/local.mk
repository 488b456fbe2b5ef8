## engine/pattern/local.mk -- pattern, diff and anomaly: message templates and their detectors
libliq_la_SOURCES += \
	engine/pattern/op_pattern.c engine/pattern/anomaly.c engine/pattern/anomaly.h
EXTRA_DIST += engine/pattern/README
