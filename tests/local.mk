## tests/local.mk -- unit tests (cmocka), golden tests, CLI and differential tests
##
## make check runs: every unit test binary, every golden .test file (through golden_run,
## in-process, at several thread counts and batch sizes), and every tests/*/*.sh script.
## tests/repo/lint_timing.sh rejects tests that assert how long something took.

TEST_EXTENSIONS = .test .sh
## every test runs under a ceiling on its time (scripts/bounded.sh: a hang fails by name)
BOUNDED = $(SHELL) $(top_srcdir)/scripts/bounded.sh
LOG_COMPILER = $(BOUNDED)
TEST_LOG_COMPILER = $(BOUNDED) ./tests/golden_run --srcdir $(srcdir)
SH_LOG_COMPILER = $(BOUNDED) $(SHELL)
AM_TESTS_ENVIRONMENT = LIQ=$(abs_top_builddir)/liq; SRCDIR=$(abs_top_srcdir); \
	export LIQ SRCDIR;

check_PROGRAMS += tests/golden_run
tests_golden_run_SOURCES = tests/golden_run.c
tests_golden_run_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

## partial results over the golden queries (issue 16, run by tests/cli/partial_golden.sh)
check_PROGRAMS += tests/golden_partial
tests_golden_partial_SOURCES = tests/golden_partial.c
tests_golden_partial_LDADD = libliqcli.la libliq.la $(LIQ_LIBS)

## The slowest first: make check -j starts the tests in the order of TESTS, so the long ones
## (Dask, the AWS CLI and boto3 against liq serve, s3rver: seconds of Python or Node start-up
## each) run beside the many short ones instead of ending the run alone on one core
TESTS += $(DASK_SH_TESTS) $(SERVE_SH_TESTS) $(S3_SH_TESTS)

include tests/golden/list.mk
include tests/golden/functions.mk
include tests/golden/engine.mk
TESTS += $(GOLDEN_TESTS) $(FUNCTION_TESTS) $(ENGINE_TESTS) $(ENGINE_SH_TESTS)
EXTRA_DIST += $(GOLDEN_TESTS) $(FUNCTION_TESTS) $(ENGINE_TESTS) $(ENGINE_SH_TESTS)

## the value rules of the language (L3, L5, L8), and a differential test of them
include tests/golden/lang.mk
TESTS += $(LANG_TESTS) $(LANG_SH_TESTS)
EXTRA_DIST += $(LANG_TESTS) $(LANG_SH_TESTS) $(LANG_TEST_INPUTS)

## the example queries of the AWS documentation, as golden tests
include tests/golden/docs.mk
TESTS += $(DOCS_TESTS)
EXTRA_DIST += $(DOCS_TESTS)

## cmocka unit tests: one binary per module
include tests/unit/local.mk
TESTS += $(UNIT_TESTS)
check_PROGRAMS += $(UNIT_TESTS)

## CLI and differential tests (shell; they run the built liq)
include tests/sh.mk
TESTS += $(SH_TESTS)
EXTRA_DIST += $(SH_TESTS) tests/diff/gen_app_log.sh

## Output and everyday-use tests of the CLI (formats, charts, --var, saved queries)
include tests/cli.mk
TESTS += $(OUT_SH_TESTS)
EXTRA_DIST += $(OUT_SH_TESTS) tests/cli/out_lib.sh tests/cli/partial_lib.sh

## S3 inputs (s3rver on loopback; tests/s3/lib.sh)
include tests/s3.mk
EXTRA_DIST += $(S3_SH_TESTS) $(S3_TEST_HELPERS)

## liq serve with Debian's AWS CLI and boto3 on loopback (tests/serve/lib.sh)
include tests/serve.mk
EXTRA_DIST += $(SERVE_SH_TESTS) $(SERVE_TEST_HELPERS)

## liq watch: alarms, actions, the Prometheus endpoint with Debian's prometheus and promtool
include tests/watch.mk
TESTS += $(WATCH_SH_TESTS)
EXTRA_DIST += $(WATCH_SH_TESTS) $(WATCH_TEST_HELPERS)
$(WATCH_SH_TESTS:.sh=.log): tests/watch/prom_serve$(EXEEXT) liq$(EXEEXT)

## Scale-out: liq-dask on a Dask scheduler and workers on loopback, GNU parallel (issue 16)
include tests/dask.mk
EXTRA_DIST += $(DASK_SH_TESTS) $(DASK_TEST_HELPERS)
$(DASK_SH_TESTS:.sh=.log): liq$(EXEEXT) liq-dask

## Checks of the repository's tools: the lint against timing assertions in tests, setup.sh
include tests/repo.mk
TESTS += $(REPO_SH_TESTS)
EXTRA_DIST += $(REPO_SH_TESTS) scripts/setup.sh scripts/bounded.sh

# golden_run and liq must exist before any .test or .sh runs
$(GOLDEN_TESTS:.test=.log) $(FUNCTION_TESTS:.test=.log) $(ENGINE_TESTS:.test=.log) \
	$(SH_TESTS:.sh=.log) $(OUT_SH_TESTS:.sh=.log) $(ENGINE_SH_TESTS:.sh=.log) \
	$(S3_SH_TESTS:.sh=.log) $(DOCS_TESTS:.test=.log) $(LANG_TESTS:.test=.log) \
	$(LANG_SH_TESTS:.sh=.log) $(SERVE_SH_TESTS:.sh=.log): \
	tests/golden_run$(EXEEXT) liq$(EXEEXT)
