## tests/sh.mk -- shell tests: CLI behaviour (tests/cli) and differential runs (tests/diff)
SH_TESTS =
