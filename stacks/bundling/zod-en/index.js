import * as z from './external.js';

export * from './external.js';
/** The `z` namespace and default export of `zod`, as zod's own index gives them, without locales. */
export { z, z as default };
