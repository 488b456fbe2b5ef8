## tests/dask.mk -- scale-out tests (issue 16): liq-dask on a real Dask scheduler and three
## workers on loopback (python3-distributed; each skips (77) without it), GNU parallel
DASK_SH_TESTS = \
	tests/dask/dask.sh \
	tests/dask/golden.sh \
	tests/dask/parallel.sh
DASK_TEST_HELPERS = tests/dask/lib.sh bench/gen_app_log.awk bench/gen_access_log.awk
