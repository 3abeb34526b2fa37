import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../functions/agent-api/console/api.js';
import {
  deleteQuestion,
  editBody,
  editErrorText,
  rotateQuestion,
  settledList,
  type Webhook,
  webhookErrorText,
  webhookState,
} from '../../../../functions/agent-api/console/webhook-text.js';

const NOW = Date.parse('2026-12-06T10:00:00.000Z');
const hook = (extra: Partial<Webhook> = {}): Webhook => ({
  id: 'wh_1',
  url: 'https://crm.example.com/in',
  events: ['message.received'],
  createdAt: '2026-12-01T00:00:00.000Z',
  consecutiveFailures: 0,
  ...extra,
});

describe('webhookState', () => {
  it('reads enabled, with its failures in a row when there are any', () => {
    expect(webhookState(hook(), NOW)).toEqual({ kind: 'enabled', text: 'Enabled' });
    expect(webhookState(hook({ consecutiveFailures: 1 }), NOW).text).toBe('Enabled (1 failure in a row)');
  });

  it('reads paused by the breaker only while it is open', () => {
    const open = webhookState(
      hook({ consecutiveFailures: 6, circuitOpenUntil: '2026-12-06T10:05:00.000Z' }),
      NOW,
    );
    expect(open.kind).toBe('paused');
    expect(open.text).toMatch(/^Paused by the breaker until .+ \(6 failures in a row\): deliveries wait/);
    const closed = hook({ consecutiveFailures: 6, circuitOpenUntil: '2026-12-06T09:55:00.000Z' });
    expect(webhookState(closed, NOW)).toEqual({ kind: 'enabled', text: 'Enabled (6 failures in a row)' });
  });

  it('reads disabled with its reason, whatever its breaker', () => {
    const state = webhookState(
      hook({
        disabledAt: '2026-12-06T09:00:00.000Z',
        disabledReason: 'the endpoint answered 410 Gone',
        circuitOpenUntil: '2026-12-06T10:05:00.000Z',
      }),
      NOW,
    );
    expect(state.kind).toBe('disabled');
    expect(state.text).toMatch(/^Disabled since .+: the endpoint answered 410 Gone$/);
  });
});

describe('webhookErrorText', () => {
  it('says each refusal by its code', () => {
    const exists = new ApiError(
      409,
      'webhook_exists',
      'webhook wh_k9 already posts message.received, message.sent to this URL (each would be delivered twice): change its events (PATCH /api/webhooks/wh_k9) or delete it',
    );
    expect(webhookErrorText('Not created', exists)).toMatch(
      /^Not created: subscription wh_k9 already posts these events to this URL \(message.received, message.sent\)/,
    );
    // Enabling one disabled while another took its events at its URL: named, with what to do.
    expect(webhookErrorText('Not enabled', exists)).toBe(
      'Not enabled: subscription wh_k9 already posts these events to this URL (message.received, message.sent), so each would be delivered twice. Disable it or edit its events first, or choose other events for this one.',
    );
    expect(webhookErrorText('Not enabled', new ApiError(404, 'not_found', 'no webhook wh_1'))).toBe(
      'Not enabled: this subscription no longer exists (deleted meanwhile).',
    );
    expect(webhookErrorText('Not replayed', new ApiError(409, 'webhook_disabled', 'disabled'))).toBe(
      'Not replayed: the subscription is disabled: enable it first, then replay.',
    );
    expect(
      webhookErrorText('Not created', new ApiError(400, 'invalid_request', 'url refused: a private address')),
    ).toBe('Not created: url refused: a private address.');
    expect(webhookErrorText('Not created', new ApiError(500, 'internal', 'boom'))).toBe(
      'Not created: boom (500 internal).',
    );
  });

  it('says a network failure plainly', () => {
    expect(webhookErrorText('Not disabled', new TypeError('Failed to fetch'))).toBe(
      'Not disabled: Threadline could not be reached. Check the connection and try again.',
    );
  });
});

describe('an edit', () => {
  it('sends only what changed, the events whatever their order, an emptied description as ""', () => {
    const w = hook({ events: ['message.received', 'message.sent'], description: 'CRM' });
    expect(editBody(w, ['message.sent', 'message.received'], ' CRM ')).toBeUndefined();
    expect(editBody(w, ['message.sent'], 'CRM')).toEqual({ events: ['message.sent'] });
    expect(editBody(w, ['message.received', 'message.sent', 'conversation.resolved'], 'CRM')).toEqual({
      events: ['message.received', 'message.sent', 'conversation.resolved'],
    });
    expect(editBody(w, w.events, '')).toEqual({ description: '' });
    expect(editBody(hook(), ['message.received'], ' Tickets ')).toEqual({ description: 'Tickets' });
    expect(editBody(hook(), ['message.received'], '  ')).toBeUndefined();
  });

  it('says webhook_busy as changed meanwhile, the list read again, and names a twin by its description', () => {
    const busy = new ApiError(
      409,
      'webhook_busy',
      'the webhook was edited meanwhile: read it again and retry',
    );
    expect(editErrorText(busy, [])).toBe(
      'Not saved: it was changed meanwhile (or another change of this URL is under way). The list has been read again: check it, then save again.',
    );
    const exists = new ApiError(
      409,
      'webhook_exists',
      'webhook wh_k9 already posts message.sent to this URL (each would be delivered twice): change its events (PATCH /api/webhooks/wh_k9) or delete it',
    );
    expect(editErrorText(exists, [hook({ id: 'wh_k9', description: 'Old CRM' })])).toMatch(
      /^Not saved: subscription wh_k9 \("Old CRM"\) already posts these events to this URL \(message.sent\)/,
    );
    // One not in the list (created since): named by its id alone.
    expect(editErrorText(exists, [hook()])).toMatch(/^Not saved: subscription wh_k9 already posts/);
  });
});

describe('the questions asked first', () => {
  it('names the subscription, says a delete cannot be undone and a rotation keeps the old secret 24 hours', () => {
    const w = hook({ description: 'CRM' });
    expect(deleteQuestion(w)).toMatch(/^Delete the subscription to https:\/\/crm.example.com\/in \(CRM\)\?/);
    expect(deleteQuestion(w)).toContain('pending deliveries are cancelled. This cannot be undone');
    expect(rotateQuestion(w)).toMatch(/^Rotate the signing secret of https:\/\/crm.example.com\/in\?/);
    expect(rotateQuestion(w)).toContain('keeps signing beside it for 24 hours');
  });
});

describe('settledList', () => {
  it('leaves out what the view deleted and keeps what it created that a read does not show yet', () => {
    const a = hook({ id: 'wh_a' });
    const b = hook({ id: 'wh_b' });
    const made = hook({ id: 'wh_new' });
    expect(settledList([a, b], new Set(['wh_b']), [made]).map((w) => w.id)).toEqual(['wh_a', 'wh_new']);
    // Once the read shows it, the read's copy (newer) stands, once.
    const read = { ...made, consecutiveFailures: 3 };
    expect(settledList([a, read], new Set(), [made])).toEqual([a, read]);
    expect(settledList([a], new Set(['wh_new']), [made])).toEqual([a]);
  });
});
