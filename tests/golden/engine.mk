## tests/golden/engine.mk -- golden tests of engine mechanisms (prefilters, batching, ordering)
ENGINE_TESTS = \
	tests/golden/engine/prefilter.test \
	tests/golden/engine/timerange.test \
	tests/golden/engine/timestamps.test \
	tests/golden/engine/text_timestamps.test \
	tests/golden/engine/multiline.test \
	tests/golden/engine/syslog.test \
	tests/golden/engine/formats.test \
	tests/golden/engine/lambda.test \
	tests/golden/engine/encodings.test \
	tests/golden/engine/json_values.test \
	tests/golden/engine/columns.test \
	tests/golden/engine/commands.test \
	tests/golden/engine/structures.test \
	tests/golden/engine/source.test \
	tests/golden/engine/parse_modes.test \
	tests/golden/engine/pattern.test \
	tests/golden/engine/anomaly.test \
	tests/golden/engine/json_lenient.test \
	tests/golden/engine/topn.test \
	tests/golden/fpat/errors.test \
	tests/golden/fpat/delimited.test \
	tests/golden/fpat/json.test \
	tests/golden/fpat/terms.test

## shell tests of inputs that golden files cannot hold (compressed bytes, directory layouts)
ENGINE_SH_TESTS = \
	tests/inputs/compressed.sh \
	tests/inputs/select.sh \
	tests/inputs/prune.sh \
	tests/inputs/seek.sh \
	tests/inputs/shrink.sh \
	tests/inputs/json_lenient.sh \
	tests/inputs/encodings.sh \
	tests/inputs/json_values.sh \
	tests/inputs/groups.sh \
	tests/inputs/multiline.sh \
	tests/inputs/syslog.sh \
	tests/inputs/no_timestamps.sh \
	tests/inputs/max_fields.sh \
	tests/inputs/census.sh \
	tests/inputs/loghub_ts.sh \
	tests/inputs/jsontestsuite.sh
## JSONTestSuite's files (MIT, with its LICENSE), the checker, and the table it compares with
EXTRA_DIST += tests/inputs/jsontestsuite.py tests/jsontestsuite docs/jsontestsuite.md

## inputs of golden tests too large to write inline, and the scripts that made them
EXTRA_DIST += tests/golden/data/anomaly_app.txt tests/golden/data/gen_anomaly.py
EXTRA_DIST += tests/golden/data/topn.ndjson tests/golden/data/gen_topn.py
