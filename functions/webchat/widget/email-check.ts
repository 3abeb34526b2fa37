// The pre-chat form's email check: the server's rule (zod's `z.email()`), so an email the form
// accepts is one Threadline accepts.

/** Zod's email pattern, as `SessionRequestSchema` applies it (a test keeps the two in step). */
const EMAIL =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** Why Threadline would refuse this email, or undefined when it would take it (blank is no email). */
export function emailProblem(email: string): string | undefined {
  if (!email) return undefined;
  if (email.length > 320 || !EMAIL.test(email)) return 'Enter an email like name@example.com';
  return undefined;
}
