import { describe, expect, it } from 'vitest';
import { WebchatSender } from '#shared/channels/webchat/send.js';
import { loadConfig } from '#shared/config/config.js';
import { lambdaSenders } from '#shared/lambda/channel-senders.js';

const base = { TABLE_NAME: 'threadline' };

describe('the senders of the functions that send replies on AWS', () => {
  it('send web chat replies when the inbound queue is bound, beside the configured providers', () => {
    const senders = lambdaSenders(
      loadConfig({
        ...base,
        INBOUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/inbound',
        META_PAGE_ACCESS_TOKEN: 'token',
      }),
    );
    expect(senders.webchat).toBeInstanceOf(WebchatSender);
    expect(Object.keys(senders).sort()).toEqual(['instagram', 'messenger', 'webchat']);
  });

  it('have no web chat sender without the inbound queue (the reply is then failed, not lost silently)', () => {
    expect(lambdaSenders(loadConfig(base)).webchat).toBeUndefined();
  });
});
