## tests/golden/docs.mk -- the example queries of the AWS CloudWatch Logs Insights documentation,
## each with a hand-written input and an output worked out by hand (tests/golden/docs/*.test)
DOCS_TESTS = \
	tests/golden/docs/general.test \
	tests/golden/docs/commands.test \
	tests/golden/docs/lambda.test \
	tests/golden/docs/vpc.test \
	tests/golden/docs/route53.test \
	tests/golden/docs/cloudtrail.test \
	tests/golden/docs/apigateway.test \
	tests/golden/docs/appsync.test \
	tests/golden/docs/parse.test \
	tests/golden/docs/functions.test \
	tests/golden/docs/stats.test \
	tests/golden/docs/source.test \
	tests/golden/docs/misc.test \
	tests/golden/docs/patterns.test \
	tests/golden/docs/parsing.test \
	tests/golden/docs/commands2025.test
