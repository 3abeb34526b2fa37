import { describe, expect, it } from 'vitest';
import {
  parseTags,
  refusedTagsText,
  TAG_HINT,
  tagProblem,
} from '../../../../functions/agent-api/console/tags-text.js';
import { TAG_RULE } from '../../../../shared/domain/tag-rule.js';

describe("the console's tags field: how it reads what is typed and says what is refused", () => {
  // QA: "refund request, angry customer" became four tags, silently.
  it('splits on commas only, each tag trimmed, empty ones dropped', () => {
    expect(parseTags('refund request, angry customer')).toEqual(['refund request', 'angry customer']);
    expect(parseTags(' vip ,, billing:eu,')).toEqual(['vip', 'billing:eu']);
    expect(parseTags('')).toEqual([]);
  });

  it('names a refused tag and says why in words', () => {
    expect(tagProblem('vip')).toBeUndefined();
    expect(tagProblem('a.b:c-d_e')).toBeUndefined();
    expect(tagProblem('émoji🎁')).toBe("“émoji🎁” can't be a tag: use letters, digits, _ . : -");
    expect(tagProblem('refund request')).toBe(
      "“refund request” can't be a tag: a tag has no spaces (use - or _ in place of one, and commas between tags).",
    );
    const long = 'x'.repeat(TAG_RULE.maxLength + 1);
    expect(tagProblem(long)).toContain(`can't be a tag: a tag has at most ${TAG_RULE.maxLength} characters`);
    expect(tagProblem('x'.repeat(TAG_RULE.maxLength))).toBeUndefined();
  });

  // QA: a refused save said "add.2: letters, digits, _ . : -".
  it('says the API’s refusal as the tag it was about', () => {
    const change = { add: ['vip', 'ok', 'bad tag!'], remove: ['old'] };
    expect(refusedTagsText('add.2: letters, digits, _ . : -', change)).toBe(
      "“bad tag!” can't be a tag: a tag has no spaces (use - or _ in place of one, and commas between tags).",
    );
    expect(refusedTagsText('remove.0: something else', change)).toBe("“old” can't be a tag: something else");
    expect(refusedTagsText('add: Too big: expected array to have <=50 items', change)).toBe(
      'The tags were not saved: add: Too big: expected array to have <=50 items',
    );
  });

  it('states the rule next to the field', () => {
    expect(TAG_HINT).toBe('Separate tags with commas. A tag is letters, digits, _ . : - (no spaces).');
  });
});
