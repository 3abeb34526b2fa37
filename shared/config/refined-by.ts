import * as z from 'zod/mini';

/** A check that adds `problem`'s answer, when there is one, as the setting's issue. */
export function refinedBy(problem: (value: string) => string | undefined) {
  return z.superRefine<string>((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: why, input: value });
  });
}
