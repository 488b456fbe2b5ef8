## corpora/local.mk -- the bundled corpora ship with the distribution (golden tests read them)
EXTRA_DIST += \
	corpora/PROVENANCE.md \
	corpora/aws-log-parser/LICENSE \
	corpora/aws-log-parser/classic_loadbalancer_http_entry.csv \
	corpora/aws-log-parser/cloudfront-multiple.log \
	corpora/aws-log-parser/cloudfront-multiple.log.gz \
	corpora/aws-log-parser/loadbalancer_http2_entry.csv.gz \
	corpora/aws-log-parser/loadbalancer_http_entry.csv \
	corpora/aws-log-parser/waf_log.json \
	corpora/elastic-examples/LICENSE \
	corpora/elastic-examples/apache_logs \
	corpora/elastic-examples/nginxplus_json_logs \
	corpora/lnav/LICENSE \
	corpora/lnav/gharchive_log.jsonl \
	corpora/lnav/logfile_bunyan.0 \
	corpora/lnav/logfile_crlf.0 \
	corpora/lnav/logfile_ecs_log.json \
	corpora/lnav/logfile_empty.0 \
	corpora/lnav/logfile_epoch.0 \
	corpora/lnav/logfile_generic.0 \
	corpora/lnav/logfile_invalid_utf8.0 \
	corpora/lnav/logfile_json.json \
	corpora/lnav/logfile_json2.json \
	corpora/lnav/logfile_json3.json \
	corpora/lnav/logfile_json_invalid.json \
	corpora/lnav/logfile_mixed_json2.json \
	corpora/lnav/logfile_nested_json.json \
	corpora/lnav/logfile_pino.0 \
	corpora/vector/LICENSE \
	corpora/vector/utf-16le.log
