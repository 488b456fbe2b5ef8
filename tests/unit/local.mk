## tests/unit/local.mk -- cmocka unit tests, one binary per module
UNIT_TESTS =
