import { createHash } from 'node:crypto';
import {
  ROTATION_GRACE_MS,
  rotatedSecrets,
  type SigningSecret,
  type Subscription,
} from '#shared/domain/webhooks.js';
import { ConflictError, NotFoundError, UnprocessableError } from '#shared/errors.js';
import { audited } from './audited.js';
import type { WebhookAdminDeps } from './create-webhook.js';

/** How often a rotation reads again when another rotation landed between its read and its write. */
const ATTEMPTS = 3;

/** What a keyed rotation is known by: the same for the same admin and `Idempotency-Key`, never the key. */
export function rotationKeyOf(agentId: string, key: string): string {
  return createHash('sha256').update(`rotate\u0000${agentId}\u0000${key}`).digest('base64url');
}

/** Whether the secrets were rotated after `at`: the one the newest replaced has its grace from later. */
function rotatedAfter(secrets: readonly SigningSecret[], at: string): boolean {
  const replacedUntil = secrets[1]?.expiresAt;
  return replacedUntil !== undefined && Date.parse(replacedUntil) - ROTATION_GRACE_MS > Date.parse(at);
}

const reused = (message: string) => new UnprocessableError(message, 'idempotency_key_reused');

/**
 * Gives a subscription a new signing secret (audited) and answers it once. The secret it replaces keeps
 * signing for 24 hours beside it (every signature in `webhook-signature`), and so does an earlier one
 * still in its own 24 hours, at most MAX_SIGNING_SECRETS in all; a secret past its 24 hours is dropped.
 * With an `Idempotency-Key`, the admin's retry answers the secret that key made, rotating nothing (the
 * secret carries a hash of the key); the key sent for another subscription, or after a later rotation
 * dropped its secret, is a 422. Which subscription a key is for is noted first (one conditional Put),
 * so a retry after a crash between the two writes completes the rotation. The write is conditional on
 * the newest secret read: of two rotations at once each lands in turn, none overwritten.
 */
export async function rotateWebhookSecret(
  deps: Omit<WebhookAdminDeps, 'newId' | 'urls'>,
  id: string,
  agentId: string,
  idempotencyKey?: string,
): Promise<{ subscription: Subscription; secret: string }> {
  return audited(
    deps,
    { agentId, action: 'webhook_rotate_secret', customerIds: [], webhookId: id },
    async () => {
      let claim: { keyHash: string; at: string } | undefined;
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const subscription = await deps.webhooks.getSubscription(id);
        if (!subscription) throw new NotFoundError(`no webhook ${id}`);
        if (idempotencyKey && !claim) {
          const keyHash = rotationKeyOf(agentId, idempotencyKey);
          const noted = await deps.webhooks.claimRotation(keyHash, id, deps.clock.now().toISOString());
          if (noted.subscriptionId !== id) {
            throw reused(
              `this Idempotency-Key rotated the secret of webhook ${noted.subscriptionId}: a new rotation needs a new key`,
            );
          }
          claim = { keyHash, at: noted.at };
        }
        const made = claim && subscription.secrets.find((s) => s.keyHash === claim?.keyHash);
        if (made) return { subscription, secret: made.secret };
        if (claim && rotatedAfter(subscription.secrets, claim.at)) {
          throw reused(
            'the secret this Idempotency-Key made was replaced since and is no longer kept: rotate again with a new key',
          );
        }
        const fresh = deps.newSecret();
        const secrets = rotatedSecrets(subscription.secrets, fresh, deps.clock.now(), claim?.keyHash);
        const newest = subscription.secrets[0]?.secret ?? '';
        if (await deps.webhooks.setSecrets(id, secrets, newest)) {
          return { subscription: { ...subscription, secrets }, secret: fresh };
        }
      }
      throw new ConflictError('the secret was rotated meanwhile, again and again: try again', 'webhook_busy');
    },
  );
}
