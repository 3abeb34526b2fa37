import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  InternalServerException,
  ModelNotReadyException,
  ModelTimeoutException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { DEFAULT_BEDROCK_TIMEOUT_MS } from '../config/config.js';

export { DEFAULT_BEDROCK_TIMEOUT_MS };

/** Errors after which the same call may succeed: the message is retried rather than handed off. */
export const TRANSIENT_ERRORS = [
  ThrottlingException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  InternalServerException,
  ModelNotReadyException,
  ModelTimeoutException,
];

/**
 * The Converse call, or `timeout` when Bedrock has not answered in `timeoutMs`: the request is then
 * aborted (the SDK closes its connection), whatever the handler does with the abort.
 */
export async function converse(
  client: BedrockRuntimeClient,
  input: ConverseCommandInput,
  timeoutMs: number,
): Promise<ConverseCommandOutput | 'timeout'> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      // Settled first, so the abort's own rejection of the call (AbortError) loses the race.
      resolve('timeout');
      abort.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      client.send(new ConverseCommand(input), { abortSignal: abort.signal }),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
