## tests/s3.mk -- S3 input tests: s3:// URIs against s3rver (npm) on loopback, a fault-injecting
## and signature-checking proxy (python3, botocore); each test skips (77) without node/npm
S3_SH_TESTS = \
	tests/s3/basic.sh \
	tests/s3/cache.sh \
	tests/s3/creds.sh \
	tests/s3/credproc.sh \
	tests/s3/faults.sh \
	tests/s3/parts.sh \
	tests/s3/prune.sh \
	tests/s3/secrets.sh \
	tests/s3/select.sh \
	tests/s3/shapes.sh \
	tests/s3/groups.sh \
	tests/s3/oddkeys.sh \
	tests/s3/sigv4.sh \
	tests/s3/stream.sh \
	tests/s3/follow.sh \
	tests/s3/splits.sh
S3_TEST_HELPERS = tests/s3/lib.sh tests/s3/proxy.py tests/s3/s3put.py tests/s3/metadata.py

## the s3rver npm tree lib.sh installs into the build tree on first use: gone with distclean
## (make distcheck's distcleancheck finds nothing left behind)
distclean-local: distclean-s3rver
distclean-s3rver:
	rm -rf tests/s3/s3rver tests/s3/s3rver.lock
.PHONY: distclean-s3rver
