import { AwsRequestError, parseJsonObject } from './request-error.js';
import { type AwsCallOptions, awsHost, resolveRegion, signedRequest } from './signed-request.js';

/** The region of a Secrets Manager ARN (`arn:<partition>:secretsmanager:<region>:...`), if it is one. */
export function secretArnRegion(secretId: string): string | undefined {
  const [arn, , service, region] = secretId.split(':');
  return arn === 'arn' && service === 'secretsmanager' && region ? region : undefined;
}

/**
 * Secrets Manager GetSecretValue without the SDK: AWS JSON 1.1 (`POST /`, `X-Amz-Target:
 * secretsmanager.GetSecretValue`) to `secretsmanager.<region>.amazonaws.com`, signed with SigV4, the
 * region taken from `options.region`, the ARN, then AWS_REGION. Resolves with the current version's
 * SecretString, or undefined for a binary secret; throws AwsRequestError otherwise (e.g. code
 * `ResourceNotFoundException`, `AccessDeniedException`). The secret never appears in an error.
 */
export async function getSecretString(
  secretId: string,
  options: AwsCallOptions = {},
): Promise<string | undefined> {
  const region = resolveRegion('secretsmanager', options.region, secretArnRegion(secretId));
  const response = await signedRequest(
    {
      service: 'secretsmanager',
      region,
      method: 'POST',
      url: `https://${awsHost('secretsmanager', region)}/`,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: secretId }),
    },
    options,
  );
  const { SecretString } = parseJsonObject('secretsmanager', response.body);
  if (SecretString === undefined || SecretString === null) return undefined;
  if (typeof SecretString !== 'string') {
    throw new AwsRequestError('secretsmanager: SecretString is not a string', {
      status: response.status,
      code: 'InvalidResponse',
      retryable: false,
      service: 'secretsmanager',
    });
  }
  return SecretString;
}
