## tests/golden/functions.mk -- golden tests of the scalar functions, one file per group
FUNCTION_TESTS = \
	tests/golden/functions/string.test \
	tests/golden/functions/coding.test \
	tests/golden/functions/numeric.test \
	tests/golden/functions/general.test \
	tests/golden/functions/ip.test \
	tests/golden/functions/hash.test
