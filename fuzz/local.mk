## fuzz/local.mk -- libFuzzer targets (--enable-fuzzing, clang) and their replay tests (always)
##
## Each target fuzz/fuzz_<name>.c builds two ways:
##  - fuzz/fuzz_<name>: with libFuzzer, ASan and UBSan, when configured --enable-fuzzing CC=clang
##    (configure then instruments libliq for coverage too). Run: fuzz/run.sh <name> SECONDS.
##  - fuzz/replay_<name>: with fuzz/replay.c, under any compiler; make check runs it over
##    fuzz/corpus/<name>/ and fuzz/crashes/<name>/, so stored inputs stay fixed.
## To add a target: write fuzz/fuzz_<name>.c, copy one block below, seed fuzz/corpus/<name>/.

FUZZ_REPLAY_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
FUZZ_COMMON = fuzz/fuzz.h fuzz/harness.c
FUZZ_REPLAYS = fuzz/replay_parse fuzz/replay_compile fuzz/replay_fpat fuzz/replay_json \
	fuzz/replay_decomp fuzz/replay_run fuzz/replay_wide fuzz/replay_input fuzz/replay_ts \
	fuzz/replay_s3xml fuzz/replay_partial fuzz/replay_unit
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS) fuzz/dict_fresh.sh
EXTRA_DIST += fuzz/README fuzz/corpus fuzz/crashes fuzz/insights.dict fuzz/json.dict fuzz/fpat.dict \
	fuzz/input.dict fuzz/ts.dict fuzz/s3xml.dict fuzz/unit.dict \
	fuzz/gen_dict.sh fuzz/dict_fresh.sh fuzz/run.sh fuzz/gen_partial_seeds.sh

fuzz_replay_parse_SOURCES = fuzz/replay.c fuzz/fuzz_parse.c $(FUZZ_COMMON)
fuzz_replay_parse_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"parse"'
fuzz_replay_parse_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_compile_SOURCES = fuzz/replay.c fuzz/fuzz_compile.c $(FUZZ_COMMON)
fuzz_replay_compile_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"compile"'
fuzz_replay_compile_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_fpat_SOURCES = fuzz/replay.c fuzz/fuzz_fpat.c $(FUZZ_COMMON)
fuzz_replay_fpat_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"fpat"'
fuzz_replay_fpat_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_json_SOURCES = fuzz/replay.c fuzz/fuzz_json.c $(FUZZ_COMMON)
fuzz_replay_json_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"json"'
fuzz_replay_json_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_decomp_SOURCES = fuzz/replay.c fuzz/fuzz_decomp.c $(FUZZ_COMMON)
fuzz_replay_decomp_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"decomp"'
fuzz_replay_decomp_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_run_SOURCES = fuzz/replay.c fuzz/fuzz_run.c $(FUZZ_COMMON)
fuzz_replay_run_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"run"'
fuzz_replay_run_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_wide_SOURCES = fuzz/replay.c fuzz/fuzz_wide.c $(FUZZ_COMMON)
fuzz_replay_wide_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"wide"'
fuzz_replay_wide_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_input_SOURCES = fuzz/replay.c fuzz/fuzz_input.c $(FUZZ_COMMON)
fuzz_replay_input_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"input"'
fuzz_replay_input_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_ts_SOURCES = fuzz/replay.c fuzz/fuzz_ts.c $(FUZZ_COMMON)
fuzz_replay_ts_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"ts"'
fuzz_replay_ts_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_s3xml_SOURCES = fuzz/replay.c fuzz/fuzz_s3xml.c $(FUZZ_COMMON)
fuzz_replay_s3xml_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"s3xml"'
fuzz_replay_s3xml_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_partial_SOURCES = fuzz/replay.c fuzz/fuzz_partial.c $(FUZZ_COMMON)
fuzz_replay_partial_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"partial"'
fuzz_replay_partial_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_replay_unit_SOURCES = fuzz/replay.c fuzz/fuzz_unit.c $(FUZZ_COMMON)
fuzz_replay_unit_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"unit"'
fuzz_replay_unit_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

if ENABLE_FUZZING
FUZZ_LINK = -fsanitize=fuzzer
noinst_PROGRAMS += fuzz/fuzz_parse fuzz/fuzz_compile fuzz/fuzz_fpat fuzz/fuzz_json \
	fuzz/fuzz_decomp fuzz/fuzz_run fuzz/fuzz_wide fuzz/fuzz_input fuzz/fuzz_ts fuzz/fuzz_s3xml \
	fuzz/fuzz_partial fuzz/fuzz_unit

fuzz_fuzz_parse_SOURCES = fuzz/fuzz_parse.c $(FUZZ_COMMON)
fuzz_fuzz_parse_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_parse_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_compile_SOURCES = fuzz/fuzz_compile.c $(FUZZ_COMMON)
fuzz_fuzz_compile_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_compile_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_fpat_SOURCES = fuzz/fuzz_fpat.c $(FUZZ_COMMON)
fuzz_fuzz_fpat_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_fpat_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_json_SOURCES = fuzz/fuzz_json.c $(FUZZ_COMMON)
fuzz_fuzz_json_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_json_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_decomp_SOURCES = fuzz/fuzz_decomp.c $(FUZZ_COMMON)
fuzz_fuzz_decomp_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_decomp_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_run_SOURCES = fuzz/fuzz_run.c $(FUZZ_COMMON)
fuzz_fuzz_run_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_run_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_wide_SOURCES = fuzz/fuzz_wide.c $(FUZZ_COMMON)
fuzz_fuzz_wide_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_wide_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_input_SOURCES = fuzz/fuzz_input.c $(FUZZ_COMMON)
fuzz_fuzz_input_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_input_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_ts_SOURCES = fuzz/fuzz_ts.c $(FUZZ_COMMON)
fuzz_fuzz_ts_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_ts_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_s3xml_SOURCES = fuzz/fuzz_s3xml.c $(FUZZ_COMMON)
fuzz_fuzz_s3xml_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_s3xml_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_partial_SOURCES = fuzz/fuzz_partial.c $(FUZZ_COMMON)
fuzz_fuzz_partial_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_partial_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

fuzz_fuzz_unit_SOURCES = fuzz/fuzz_unit.c $(FUZZ_COMMON)
fuzz_fuzz_unit_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_unit_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)
endif
