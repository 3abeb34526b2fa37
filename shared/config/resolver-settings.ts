import type { PhoneOptions } from '../domain/identity.js';
import type { Config } from './config.js';

/** The resolver's settings from config, the same on Lambda and in the local runtime. */
export function resolverSettings(config: Pick<Config, 'REOPEN_WINDOW_HOURS' | 'DEFAULT_REGION'>): {
  reopenWindowMs: number;
  phone: PhoneOptions;
} {
  return {
    reopenWindowMs: config.REOPEN_WINDOW_HOURS * 3_600_000,
    phone: { defaultRegion: config.DEFAULT_REGION },
  };
}
