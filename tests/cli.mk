## tests/cli.mk -- CLI output tests (tests/cli/out_*.sh); the list grows with the tests
OUT_SH_TESTS =
