## engine/local.mk -- the vectorized engine: values, decoding, operators, pipelines, sources

noinst_LTLIBRARIES += libliq.la
libliq_la_SOURCES += \
	engine/buf.c engine/buf.h \
	engine/val.c engine/val.h \
	engine/ts.c engine/ts.h engine/tz.c engine/tz.h engine/tsfmt.c engine/tsfmt.h \
	engine/json.c engine/json.h \
	engine/rx.c engine/rx.h \
	engine/vec.h \
	engine/kern.h engine/k_func.c engine/k_time.c engine/k_json.c \
	engine/k_str.c engine/k_num.c engine/k_gen.c engine/k_ip.c engine/k_hash.c \
	engine/expr.c engine/expr.h \
	engine/dec.c engine/dec_lambda.c engine/dec_lambda.h \
	engine/agg.c engine/agg.h \
	engine/op.h engine/rowset.c engine/op_filter.c engine/op_fields.c \
	engine/op_sort.c engine/op_stats.c engine/op_parse.c engine/op_dedup.c engine/op_fpat.c engine/op_unnest.c engine/op_source.c engine/op_pattern.c engine/anomaly.c engine/anomaly.h engine/memfind.c engine/memfind.h \
	engine/jdom.c engine/jdom.h \
	engine/plan.c engine/plan.h engine/prefilter.c engine/prefilter.h \
	engine/src.c engine/src.h engine/seek.c engine/seek.h engine/decomp.c engine/decomp.h engine/fmt.c engine/fmt.h \
	engine/s3.c engine/s3.h engine/s3_int.h engine/s3_config.c \
	engine/s3_creds.c engine/s3_creds.h engine/s3_cache.c engine/s3_cache.h engine/s3_stream.c engine/s3_stream.h \
	engine/s3_prune.c engine/s3_prune.h \
	engine/pipe.c engine/discover.c \
	engine/liq.c engine/liq.h engine/liq_int.h \
	cli/out.c cli/out.h cli/out_csv.c cli/out_json.c cli/out_table.c \
	cli/cli.c cli/cli.h cli/exit_codes.def
libliq_la_LIBADD = libliqfront.la libliqfpat.la $(CRYPTO_LIBS)

EXTRA_DIST += engine/README
