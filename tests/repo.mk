## tests/repo.mk -- checks of the repository's own tools: no test asserts a duration
## (tests/repo/lint_timing.sh, with a self-test)
REPO_SH_TESTS = \
	tests/repo/lint_timing.sh
