## tests/unit/local.mk -- cmocka unit tests, one binary per module (docs/style.md B7)
##
## Each test_<module>.c links against libliq.la like tests/golden_run does, owns an APR pool per
## test through its group setup/teardown, and exits non-zero when any case fails.

UNIT_TESTS = \
	tests/unit/test_span \
	tests/unit/test_diag \
	tests/unit/test_parse \
	tests/unit/test_sema \
	tests/unit/test_val \
	tests/unit/test_ts \
	tests/unit/test_json \
	tests/unit/test_rx \
	tests/unit/test_s3 \
	tests/unit/test_anomaly \
	tests/unit/test_progress \
	tests/unit/test_memfind \
	tests/unit/test_run \
	tests/unit/test_esc \
	tests/unit/test_src \
	tests/unit/test_partial \
	tests/unit/test_arena \
	tests/unit/test_stats \
	tests/unit/test_prom \
	tests/unit/test_alarm \
	tests/unit/test_action \
	tests/unit/test_follow

# stats groups as bytes: every aggregate state round-trips (engine/exec/partial.h, issue 15)
tests_unit_test_partial_SOURCES = tests/unit/test_partial.c
tests_unit_test_partial_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_partial_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# compact records: values without the 24-byte Datum, chunks that never move (arena.h, issue 15)
tests_unit_test_arena_SOURCES = tests/unit/test_arena.c
tests_unit_test_arena_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_arena_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# white box: test_stats.c includes engine/exec/op_stats.c (its partitioned merge, issue 21)
tests_unit_test_stats_SOURCES = tests/unit/test_stats.c
tests_unit_test_stats_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_stats_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# white box: test_src.c includes engine/input/src.c (its static cut and read of a morsel)
tests_unit_test_src_SOURCES = tests/unit/test_src.c
tests_unit_test_src_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_src_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_esc_SOURCES = tests/unit/test_esc.c
tests_unit_test_esc_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_esc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# followers: bins closed by time from another thread (liq_follow_close_before, issue 19)
tests_unit_test_follow_SOURCES = tests/unit/test_follow.c
tests_unit_test_follow_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_follow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# runs: two at once in threads, the state seam, snapshots, cancellation (issue 12)
tests_unit_test_run_SOURCES = tests/unit/test_run.c
tests_unit_test_run_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_run_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_memfind_SOURCES = tests/unit/test_memfind.c
tests_unit_test_memfind_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_memfind_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_anomaly_SOURCES = tests/unit/test_anomaly.c
tests_unit_test_anomaly_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_anomaly_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_progress_SOURCES = tests/unit/test_progress.c
tests_unit_test_progress_LDADD = libliqcli.la libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_progress_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_span_SOURCES = tests/unit/test_span.c
tests_unit_test_span_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_span_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_diag_SOURCES = tests/unit/test_diag.c
tests_unit_test_diag_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_diag_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_parse_SOURCES = tests/unit/test_parse.c
tests_unit_test_parse_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_sema_SOURCES = tests/unit/test_sema.c
tests_unit_test_sema_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_sema_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_val_SOURCES = tests/unit/test_val.c
tests_unit_test_val_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_val_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_ts_SOURCES = tests/unit/test_ts.c
tests_unit_test_ts_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_ts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_json_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_rx_SOURCES = tests/unit/test_rx.c
tests_unit_test_rx_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_rx_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

tests_unit_test_s3_SOURCES = tests/unit/test_s3.c
tests_unit_test_s3_LDADD = libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_s3_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# liq watch's Prometheus exposition and OpenMetrics files (white box: includes watch/prom.c)
tests_unit_test_prom_SOURCES = tests/unit/test_prom.c
tests_unit_test_prom_LDADD = libliq.la $(LIQ_LIBS) $(MHD_LIBS) $(CMOCKA_LIBS)
tests_unit_test_prom_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CMOCKA_CFLAGS)

# liq watch's alarms: the User Guide's missing-data tables row by row, reasons, --state-file
tests_unit_test_alarm_SOURCES = tests/unit/test_alarm.c
tests_unit_test_alarm_LDADD = libliqwatch.la libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_alarm_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# liq watch's actions: the CloudWatch message and SNS body, commands, the bounded queue
tests_unit_test_action_SOURCES = tests/unit/test_action.c
tests_unit_test_action_LDADD = libliqwatch.la libliq.la $(LIQ_LIBS) $(CMOCKA_LIBS)
tests_unit_test_action_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
