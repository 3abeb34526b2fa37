import { describe, expect, it } from 'vitest';
import { SessionRequestSchema } from '#shared/domain/webchat/requests.js';
import { emailProblem } from '../../../../functions/webchat/widget/email-check.js';

const SAMPLES = [
  'ian@localhost',
  'ian@example.com',
  'ian.o+shop@mail.example.co.uk',
  "o'brien@example.ie",
  'a@b.c',
  'a@b.io',
  '.ian@example.com',
  'ian.@example.com',
  'ian..o@example.com',
  'ian@-example.com',
  'ian@example..com',
  'ian@example.c0m',
  'ian@@example.com',
  'ian example@example.com',
  'ian@exam_ple.com',
  'ián@example.com',
  `${'a'.repeat(310)}@example.com`,
];

describe('the pre-chat form’s email check', () => {
  it.each(SAMPLES)('agrees with the server on %s', (email) => {
    const server = SessionRequestSchema.safeParse({ email }).success;
    expect(emailProblem(email) === undefined).toBe(server);
  });

  it('takes a blank email (the field is optional)', () => {
    expect(emailProblem('')).toBeUndefined();
  });
});
