## tests/sh.mk -- shell tests: CLI behaviour (tests/cli) and differential runs (tests/diff)
SH_TESTS = \
	tests/cli/exit_codes.sh \
	tests/cli/streams.sh \
	tests/cli/pipes.sh \
	tests/cli/hints.sh \
	tests/cli/inputs.sh \
	tests/cli/sigpipe.sh \
	tests/cli/signals.sh \
	tests/cli/oom.sh \
	tests/cli/threads.sh \
	tests/cli/stats.sh \
	tests/cli/stats_stats.sh \
	tests/cli/stats_radix.sh \
	tests/cli/sort_prefix.sh \
	tests/cli/wide.sh \
	tests/cli/memory.sh \
	tests/cli/spill.sh \
	tests/cli/state_bytes.sh \
	tests/cli/subquery_fail.sh \
	tests/cli/partial.sh \
	tests/cli/partial_golden.sh \
	tests/cli/partial_relevant.sh \
	tests/cli/partial_pattern.sh \
	tests/cli/splits.sh \
	tests/cli/follow.sh \
	tests/cli/follow_state.sh \
	tests/diff/app_log_jq.sh \
	tests/diff/corpus_jq.sh \
	tests/diff/text_awk.sh
