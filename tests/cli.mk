## tests/cli.mk -- CLI output tests (tests/cli/out_*.sh): formats, pipes, charts, SVG, --var,
## saved queries, --insights-defaults, the table on a terminal, help, man page, completion
OUT_SH_TESTS = \
	tests/cli/out_formats.sh \
	tests/cli/out_pipe.sh \
	tests/cli/out_table.sh \
	tests/cli/out_chart.sh \
	tests/cli/out_svg.sh \
	tests/cli/out_var.sh \
	tests/cli/out_querydefs.sh \
	tests/cli/out_saved.sh \
	tests/cli/out_defaults.sh \
	tests/cli/out_docs.sh \
	tests/cli/out_fields.sh \
	tests/cli/out_progress.sh \
	tests/cli/exit_registry.sh
