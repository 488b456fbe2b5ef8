## tests/golden/list.mk -- every golden test file (kept in one list: automake has no globs)
GOLDEN_TESTS = \
	tests/golden/basics/compare.test \
	tests/golden/basics/fields.test \
	tests/golden/basics/filter.test \
	tests/golden/basics/functions.test \
	tests/golden/basics/input.test \
	tests/golden/basics/nulls.test \
	tests/golden/basics/output.test \
	tests/golden/basics/sort_limit.test \
	tests/golden/basics/stats.test \
	tests/golden/basics/syntax.test \
	tests/golden/corpora/lnav.test \
	tests/golden/corpora/timestamps.test \
	tests/golden/errors/limits.test \
	tests/golden/errors/semantic.test \
	tests/golden/errors/warnings.test \
	tests/golden/errors/syntax.test \
	tests/golden/params/braces.test
