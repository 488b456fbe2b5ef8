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
	tests/cli/golden_files.sh \
	tests/cli/out_saved.sh \
	tests/cli/out_defaults.sh \
	tests/cli/out_docs.sh \
	tests/cli/out_fields.sh \
	tests/cli/out_progress.sh \
	tests/cli/exit_registry.sh \
	tests/cli/query_range.sh

## golden tests whose options name files (run by tests/cli/golden_files.sh), and their files
EXTRA_DIST += \
	tests/golden/files/aws_lookup.test \
	tests/golden/files/cidrlookup.test \
	tests/golden/files/join.test \
	tests/golden/files/lookup.test \
	tests/golden/files/subquery.test \
	tests/golden/files/data/access-logs.ndjson \
	tests/golden/files/data/api-activity.ndjson \
	tests/golden/files/data/api-by-ip.ndjson \
	tests/golden/files/data/app-requests.ndjson \
	tests/golden/files/data/codes.csv \
	tests/golden/files/data/database-service.ndjson \
	tests/golden/files/data/employees.csv \
	tests/golden/files/data/known_hosts.csv \
	tests/golden/files/data/lambda-fn.ndjson \
	tests/golden/files/data/main-service.ndjson \
	tests/golden/files/data/net_table.csv \
	tests/golden/files/data/net_zones.csv \
	tests/golden/files/data/network_services.csv \
	tests/golden/files/data/noname.csv \
	tests/golden/files/data/order-service.ndjson \
	tests/golden/files/data/payment-service.ndjson \
	tests/golden/files/data/ragged.csv \
	tests/golden/files/data/user_data.csv \
	tests/golden/files/data/user_data_by_user_id.csv
