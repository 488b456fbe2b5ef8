## engine/exec/local.mk -- execution: expressions, kernels, operators, pipelines and threads
libliq_la_SOURCES += \
	engine/exec/plan.h engine/exec/plan.c engine/exec/explain.h engine/exec/explain.c \
	engine/exec/expr.c engine/exec/expr.h engine/exec/expr_int.h engine/exec/rx.c engine/exec/rx.h \
	engine/exec/mlstart.c engine/exec/mlstart.h \
	engine/exec/kern.h engine/exec/k_func.c engine/exec/k_time.c engine/exec/k_json.c \
	engine/exec/k_str.c engine/exec/k_num.c engine/exec/k_gen.c engine/exec/k_ip.c \
	engine/exec/k_hash.c \
	engine/exec/dec.c engine/exec/agg.c engine/exec/agg.h engine/exec/xsum.c engine/exec/xsum.h \
	engine/exec/op.h engine/exec/op.c engine/exec/rowset.c engine/exec/op_filter.c engine/exec/op_fields.c \
	engine/exec/op_sort.c engine/exec/op_stats.c engine/exec/op_parse.c \
	engine/exec/arena.c engine/exec/arena.h \
	engine/exec/op_dedup.c engine/exec/op_fpat.c engine/exec/fpat_prog.h engine/exec/op_unnest.c \
	engine/exec/op_source.c engine/exec/op_lookup.c engine/exec/op_subq.c engine/exec/op_join.c engine/exec/op_window.c engine/exec/op_cidr.c engine/exec/op_appendcols.c engine/exec/op_relevant.c engine/exec/discover.c engine/exec/discover.h engine/exec/pipe.c engine/exec/pipe.h engine/exec/tally.c engine/exec/tally.h \
	engine/exec/budget.c engine/exec/budget.h engine/exec/spill.c engine/exec/spill.h \
	engine/exec/partial.c engine/exec/partial.h
EXTRA_DIST += engine/exec/README
