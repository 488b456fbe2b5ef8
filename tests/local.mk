## tests/local.mk -- unit tests (cmocka), golden tests, CLI tests

TEST_EXTENSIONS = .test .sh
