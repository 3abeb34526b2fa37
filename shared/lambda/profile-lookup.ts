import type { ProfileNameLookup } from '../app/look-up-name.js';
import { getSecretString } from '../aws/secrets-lite.js';
import type { Config } from '../config/config.js';
import { loadConfigWithSecrets } from '../config/secrets.js';
import { onFirstUse } from '../domain/on-first-use.js';
import { log } from '../log.js';

/**
 * The resolver's lookup of a Messenger or Instagram customer's name: the Page token is read from the
 * provider secret, and the lookup's code imported, on the first customer who needs one, not at cold
 * start. A secret that cannot be read is logged and counts as a lookup with no name (the name is a
 * nicety: the message goes on); a secret without the token asks Meta nothing.
 */
export function metaProfileLookup(config: Config): ProfileNameLookup {
  const token = onFirstUse(async () => {
    const withSecrets = await loadConfigWithSecrets((id) => getSecretString(id), process.env, {
      uses: ['META_PAGE_ACCESS_TOKEN'],
    });
    return withSecrets.META_PAGE_ACCESS_TOKEN;
  });
  const code = onFirstUse(() => import('../channels/meta/profile.js'));
  return async (identity) => {
    const pageAccessToken = await token().catch((error: unknown) => {
      log('warn', 'profile lookup: the provider secret could not be read', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      return undefined;
    });
    if (!pageAccessToken) return undefined;
    const { metaProfileName } = await code();
    return metaProfileName(identity, { pageAccessToken, graphUrl: config.META_GRAPH_URL });
  };
}
