import { describe, expect, it } from 'vitest';
import { operatorEnvironment } from '../../stacks/settings.js';
import { appWith } from '../support/cdk-app.js';

describe('the webchatSessionTtl context key', () => {
  it('gives WEBCHAT_SESSION_TTL to the web-chat functions that open sessions', () => {
    const app = () => appWith({ webchatSessionTtl: 'PT1H' });
    for (const source of ['webchat', 'webchat-live']) {
      expect(operatorEnvironment(app(), source)).toEqual({ WEBCHAT_SESSION_TTL: 'PT1H' });
    }
    expect(operatorEnvironment(app(), 'resolver')).toEqual({});
  });

  it('refuses at synth what the functions would refuse at start, naming the key', () => {
    expect(() => operatorEnvironment(appWith({ webchatSessionTtl: 'PT5M' }), 'webchat')).toThrow(
      'webchatSessionTtl: "PT5M" is under 15 minutes',
    );
  });
});
