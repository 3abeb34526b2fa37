import { describe, expect, it } from 'vitest';
import { deleteInput, getInput } from '#shared/store/params/common.js';

const key = { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' };

describe('common params', () => {
  it('gets by key, strongly only when asked', () => {
    expect(getInput('t', key)).toEqual({ TableName: 't', Key: key });
    expect(getInput('t', key, true)).toEqual({ TableName: 't', Key: key, ConsistentRead: true });
  });

  it('deletes by key', () => {
    expect(deleteInput('t', key)).toEqual({ TableName: 't', Key: key });
  });
});
