## tests/golden/engine.mk -- golden tests of engine mechanisms (prefilters, batching, ordering)
ENGINE_TESTS = \
	tests/golden/engine/prefilter.test \
	tests/golden/engine/timerange.test
