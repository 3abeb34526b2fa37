/** `zod/locales`, unchanged, for bundles that alias `zod` to this folder. */
export * from '../../../node_modules/zod/locales/index.js';
