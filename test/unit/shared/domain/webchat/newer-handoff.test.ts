import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newerHandoff } from '#shared/domain/webchat/newer-handoff.js';

const earlier = { conversationId: 'cv_1', at: '2026-06-01T09:00:00.000Z' };
const later = { conversationId: 'cv_2', at: '2026-06-01T09:05:00.000Z', afterHours: true as const };

describe('newerHandoff', () => {
  it('keeps the later hand-off whichever side it is on, and the second on a tie', () => {
    expect(newerHandoff(earlier, later)).toBe(later);
    expect(newerHandoff(later, earlier)).toBe(later);
    const again = { ...earlier, conversationId: 'cv_3' };
    expect(newerHandoff(earlier, again)).toBe(again);
  });

  it('takes the one there is when the other is missing', () => {
    expect(newerHandoff(undefined, earlier)).toBe(earlier);
    expect(newerHandoff(earlier, undefined)).toBe(earlier);
    expect(newerHandoff(undefined, undefined)).toBeUndefined();
  });

  it('folds a page of items (most not hand-offs) to its newest, as the history route does', () => {
    const items = [undefined, later, undefined, earlier, undefined];
    expect(items.reduce<typeof later | typeof earlier | undefined>(newerHandoff, undefined)).toBe(later);
  });

  it('imports nothing, so the widget bundles it without zod', () => {
    const source = readFileSync(
      new URL('../../../../../shared/domain/webchat/newer-handoff.ts', import.meta.url),
      'utf8',
    );
    expect(source).not.toMatch(/^import /m);
  });
});
