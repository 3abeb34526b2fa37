import { describe, expect, it } from 'vitest';
import { returnReasonText } from '../../../../functions/agent-api/console/return-reasons.js';

describe("the console's words for why Threadline handed a conversation back to its queue", () => {
  it('says the agent set Away, went offline, or an admin removed them', () => {
    expect(returnReasonText('agent_away')).toBe('set Away');
    expect(returnReasonText('agent_offline')).toBe('went offline');
    expect(returnReasonText('agent_removed')).toBe('was removed');
    expect(returnReasonText(undefined)).toBeUndefined();
  });
});
