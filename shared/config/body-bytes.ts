import * as z from 'zod/mini';

/**
 * The smallest MAX_BODY_BYTES: SNS documents messages of up to 256 KB (the smallest maximum a provider
 * documents; WhatsApp's is 3 MB), which JSON escaping can double. 4096 refused a 5 KB WhatsApp text.
 */
export const MIN_BODY_BYTES = 512 * 1024;
const UNDER_FLOOR = `bytes is under the ${MIN_BODY_BYTES}-byte floor: ordinary messages would be refused 413`;

/** MAX_BODY_BYTES: the largest webhook body accepted, in bytes, MIN_BODY_BYTES at least; 4 MiB unset. */
export const maxBodyBytes = z._default(
  z.coerce.number().check(z.int(), z.gte(MIN_BODY_BYTES, { error: (i) => `${i.input} ${UNDER_FLOOR}` })),
  4 * 1024 * 1024,
);
