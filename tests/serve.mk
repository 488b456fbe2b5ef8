## tests/serve.mk -- liq serve (issue 17): Debian's AWS CLI and boto3 against a server on
## loopback; each test skips (77) without /usr/bin/aws or python3-boto3 (s3.sh: or node/npm)
SERVE_SH_TESTS = \
	tests/serve/awscli.sh \
	tests/serve/boto3.sh \
	tests/serve/errors.sh \
	tests/serve/grafana.sh \
	tests/serve/listings.sh \
	tests/serve/pages.sh \
	tests/serve/progress.sh \
	tests/serve/s3.sh
SERVE_TEST_HELPERS = tests/serve/lib.sh tests/serve/gen_app.py tests/serve/compare.py \
	tests/serve/signed.py tests/serve/clients.py tests/serve/grafana.py \
	tests/serve/pages.py
