import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';

describe('WEBCHAT_SESSION_TTL', () => {
  it('is 30 days unset, as sessions lived before the setting', () => {
    expect(loadConfig({}).WEBCHAT_SESSION_TTL).toBe('P30D');
  });

  it.each(['PT15M', 'PT1H', 'P1D', 'P2W', 'P30D'])('takes %s', (value) => {
    expect(loadConfig({ WEBCHAT_SESSION_TTL: value }).WEBCHAT_SESSION_TTL).toBe(value);
  });

  it.each([
    ['30 days', 'an ISO 8601 duration'],
    ['PT0S', 'is zero'],
    ['PT5M', '"PT5M" is under 15 minutes'],
    ['P31D', '"P31D" is over 30 days'],
  ])('refuses %s at load, naming the setting and what to write', (value, why) => {
    expect(() => loadConfig({ WEBCHAT_SESSION_TTL: value })).toThrow('WEBCHAT_SESSION_TTL: ');
    expect(() => loadConfig({ WEBCHAT_SESSION_TTL: value })).toThrow(why);
  });
});
