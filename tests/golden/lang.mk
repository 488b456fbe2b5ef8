## tests/golden/lang.mk -- golden tests of the language's value rules (L3, L5, L8: mixed values,
## expressions over aggregates, pct) and the differential test of mixed-type values
LANG_TESTS = \
	tests/golden/lang/mixed_values.test \
	tests/golden/lang/stats_expr.test \
	tests/golden/lang/pct.test \
	tests/golden/lang/decisions.test \
	tests/golden/lang/commands2025.test

LANG_SH_TESTS = \
	tests/lang/mixed_types.sh \
	tests/lang/aws_examples.sh \
	tests/lang/order_threads.sh \
	tests/lang/pct_select.sh \
	tests/lang/count_distinct_set.sh

LANG_TEST_INPUTS = \
	tests/golden/lang/data/1to1000.ndjson \
	tests/lang/aws_examples.txt
