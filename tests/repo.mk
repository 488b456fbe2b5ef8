## tests/repo.mk -- checks of the repository's own tools: no test asserts a duration
## (tests/repo/lint_timing.sh, with a self-test), scripts/setup.sh waits for the apt/dpkg lock
## (tests/repo/setup_lock.sh, with stand-ins for apt-get: nothing installed, no system lock),
## and the architecture holds (tests/repo/shape.sh runs shape.py over the sources and
## libliq.a: no include cycles, rooms only below, cli/ only liq.h, the AST only in the front
## end and planning, no writable globals; docs/architecture.md)
REPO_SH_TESTS = \
	tests/repo/lint_timing.sh \
	tests/repo/setup_lock.sh \
	tests/repo/shape.sh
EXTRA_DIST += tests/repo/shape.py
