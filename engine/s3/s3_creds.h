/* s3_creds.h -- AWS credentials from the container endpoint and EC2 instance metadata
 *
 * The last two links of the AWS CLI's credential chain (engine/s3/s3.c tries the environment
 * and the profile first):
 *
 * - the container credentials endpoint (ECS task roles, EKS Pod Identity):
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (appended to http://169.254.170.2), else
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback address, 169.254.170.2 or
 *   169.254.170.23 / fd00:ec2::23 only); the Authorization header comes from the file named by
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, else AWS_CONTAINER_AUTHORIZATION_TOKEN. Once one
 *   of the URI variables is set, a failure is an error (the chain stops there, as in the CLI).
 * - IMDSv2 on EC2: PUT /latest/api/token, then GET /latest/meta-data/iam/security-credentials/
 *   for the role name, then the role's credentials; the endpoint is
 *   AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 (http://[fd00:ec2::254] with
 *   AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6); AWS_EC2_METADATA_DISABLED=true skips it. A
 *   token request answered 404 or 405 falls back to IMDSv1 (no token), as the CLI does.
 *   Each request gives up after AWS_METADATA_SERVICE_TIMEOUT seconds (default 1) and is
 *   tried AWS_METADATA_SERVICE_NUM_ATTEMPTS times (default 1), so a machine that is not on
 *   EC2 waits about a second at most.
 *
 * Both endpoints answer JSON with AccessKeyId, SecretAccessKey and Token; the credentials
 * expire, so engine/s3/s3.c asks again when S3 answers 400/403 ExpiredToken (once per request).
 * Proxies come from libcurl's usual variables (http_proxy, no_proxy). Secrets (keys, tokens,
 * the authorization token) never go into a message.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_CREDS_H
#define LIQ_S3_CREDS_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct S3Creds {
    const char *akid, *secret, *token; /* in the pool; token NULL when none */
    const char *source;                /* where they came from, for messages */
} S3Creds;

/* Returns 1 with cr filled, 0 when no container URI variable is set, -1 with err set. */
int s3_creds_container(apr_pool_t *pool, S3Creds *cr, char *err, size_t errlen);
/* Returns 1 with cr filled, 0 when instance metadata is disabled, does not answer or has no
 * role (err says which), -1 with err set on an answer that is not credentials. */
int s3_creds_imds(apr_pool_t *pool, S3Creds *cr, char *err, size_t errlen);
/* Reads AccessKeyId, SecretAccessKey and Token from an endpoint's JSON answer; 0 or -1. */
int s3_creds_json(apr_pool_t *pool, const char *text, size_t len, S3Creds *cr);

#endif
