## tests/sh.mk -- shell tests: CLI behaviour (tests/cli) and differential runs (tests/diff)
SH_TESTS = \
	tests/diff/app_log_jq.sh \
	tests/diff/corpus_jq.sh \
	tests/diff/text_awk.sh
