import { describe, expect, it } from 'vitest';
import { assigneeOptions } from '../../../../functions/agent-api/console/assignee-options.js';

describe('the Assigned filter’s choices', () => {
  const held = [{ assignee: 'fa' }, { assignee: 'api-bot' }, { assignee: 'lead' }];

  it('names a removed agent who still holds a conversation as removed, not as not registered', () => {
    const options = assigneeOptions([], 'lead', '', held, new Set(['fa']));
    expect(options.slice(3)).toEqual([
      ['api-bot', 'api-bot (not registered)'],
      ['fa', 'fa (removed)'],
    ]);
  });

  it('keeps "not registered" when the removed agents are not known (an agent’s console)', () => {
    expect(assigneeOptions([], 'lead', '', held).slice(3)).toEqual([
      ['api-bot', 'api-bot (not registered)'],
      ['fa', 'fa (not registered)'],
    ]);
  });
});
