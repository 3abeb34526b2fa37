import { vi } from 'vitest';

/**
 * Runs `run` and returns its result with the length of the longest text any regular expression was
 * given meanwhile (`test`, `exec`, `match`, `replace`, `split` and `search` all go through
 * RegExp.prototype.exec once it is replaced): how a test proves that a pattern only sees bounded input.
 */
export async function withPatternInputs<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; longest: number }> {
  let longest = 0;
  const exec = RegExp.prototype.exec;
  const spy = vi.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, text: string) {
    longest = Math.max(longest, String(text).length);
    return exec.call(this, text);
  });
  try {
    const result = await run();
    return { result, longest };
  } finally {
    spy.mockRestore();
  }
}
