import {
  ADVERSARIAL_CASES,
  ADVERSARIAL_LENGTH,
  RESPONDER_INPUT_LENGTH,
  timeCase,
} from '../support/adversarial.js';

/** The worst time per function over its adversarial inputs of ADVERSARIAL_LENGTH characters. */
export async function adversarialFigures(): Promise<{ subject: string; shape: string; ms: number }[]> {
  const worst = new Map<string, { subject: string; shape: string; ms: number }>();
  for (const adversarial of ADVERSARIAL_CASES) {
    const ms = await timeCase(adversarial);
    const known = worst.get(adversarial.subject);
    if (!known || ms > known.ms)
      worst.set(adversarial.subject, { subject: adversarial.subject, shape: adversarial.shape, ms });
  }
  return [...worst.values()];
}

/** Prints the worst adversarial-input time per normaliser and text function. */
export async function printAdversarialFigures(): Promise<void> {
  console.log(
    `(inputs of ${ADVERSARIAL_LENGTH.toLocaleString('en')} characters, the responder's of ${RESPONDER_INPUT_LENGTH.toLocaleString('en')}; the unit test fails over 200 ms)`,
  );
  for (const { subject, shape, ms } of await adversarialFigures()) {
    console.log(`${subject}: worst ${ms.toFixed(1)} ms (${shape})`);
  }
}
