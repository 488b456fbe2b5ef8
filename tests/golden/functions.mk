## tests/golden/functions.mk -- golden tests of the scalar functions, one file per group
FUNCTION_TESTS =
