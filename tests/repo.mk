## tests/repo.mk -- checks of the repository's own tools: no test asserts a duration
## (tests/repo/lint_timing.sh, with a self-test), scripts/setup.sh waits for the apt/dpkg lock
## (tests/repo/setup_lock.sh, with stand-ins for apt-get: nothing installed, no system lock)
REPO_SH_TESTS = \
	tests/repo/lint_timing.sh \
	tests/repo/setup_lock.sh
