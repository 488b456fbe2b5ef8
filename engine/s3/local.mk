## engine/s3/local.mk -- the S3 client: listing, signed GETs, credentials, cache, streaming
libliq_la_SOURCES += \
	engine/s3/s3.c engine/s3/s3.h engine/s3/s3_int.h engine/s3/s3_config.c \
	engine/s3/s3_creds.c engine/s3/s3_creds.h engine/s3/s3_cache.c engine/s3/s3_cache.h \
	engine/s3/s3_stream.c engine/s3/s3_stream.h engine/s3/s3_prune.c engine/s3/s3_prune.h \
	engine/s3/s3_xml.c engine/s3/s3_xml.h
EXTRA_DIST += engine/s3/README
