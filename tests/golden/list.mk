## tests/golden/list.mk -- every golden test file (kept in one list: automake has no globs)
GOLDEN_TESTS = \
	tests/golden/basics/filter.test
