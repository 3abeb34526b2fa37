// No imports: the widget's bundle takes this file as it is (the rest of webchat/ pulls zod).

/**
 * The newer of two hand-offs to a person, the second on a tie (ISO 8601 times compare as strings):
 * one rule for the history route, which picks a page's newest, and the widget, which merges pages
 * and live frames, so both show the same hand-off.
 */
export function newerHandoff<T extends { at: string }>(a: T | undefined, b: T | undefined): T | undefined {
  return !a || (b && b.at >= a.at) ? b : a;
}
