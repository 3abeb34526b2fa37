import type { AgentAppDeps } from '#shared/api/deps.js';
import { configuredMediaFetcher } from '../channels/provider-media.js';
import { mailFiles } from '../channels/ses/mail-files.js';
import type { Config } from '../config/config.js';
import type { DynamoRepositories } from '../store/dynamo-repositories.js';

/**
 * Where the local agent API reads timeline files: providers' files from the configured providers (or
 * their fakes), an email's from the MIME kept with its item (mail comes over SNS here, never S3).
 */
export function localAgentFiles(
  config: Config,
  repos: DynamoRepositories,
): Pick<AgentAppDeps, 'media' | 'mailFiles'> {
  return {
    media: configuredMediaFetcher(config),
    mailFiles: mailFiles({ rawPayload: repos.timeline.customerItemRaw }),
  };
}
