import { describe, expect, it } from 'vitest';
import type { WebchatSession } from '#shared/domain/webchat/session.js';
import { putWebchatSessionLinkInput, querySessionLinksInput } from '#shared/store/params/webchat.js';

const session: WebchatSession = {
  tokenHash: 'a'.repeat(64),
  visitor: { kind: 'webchat_visitor', value: 'v1' },
  name: 'Gina',
  typedEmail: 'gina@example.com',
  createdAt: '2026-12-03T10:00:00.000Z',
  expiresAt: '2027-01-02T10:00:00.000Z',
};

describe('web-chat session links', () => {
  it('links an identity to a session by its hash only, and expires with it', () => {
    expect(putWebchatSessionLinkInput('t', 'webchat_visitor#v1', session)).toEqual({
      TableName: 't',
      Item: {
        pk: 'WEBCHAT_SESSIONS#webchat_visitor#v1',
        sk: `SESSION#${'a'.repeat(64)}`,
        entity: 'webchat_session_link',
        tokenHash: 'a'.repeat(64),
        ttl: Date.parse('2027-01-02T10:00:00.000Z') / 1000,
      },
    });
  });

  it('finds the sessions of one identity by one query of its partition', () => {
    expect(querySessionLinksInput('t', 'email#gina@example.com')).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'WEBCHAT_SESSIONS#email#gina@example.com', ':prefix': 'SESSION#' },
      ProjectionExpression: 'pk, sk, tokenHash, #ttl',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
    });
  });
});
