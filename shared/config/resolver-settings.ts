import type { PhoneOptions } from '../domain/identity.js';
import type { Config } from './config.js';

/** REOPEN_WINDOW_HOURS in ms: the resolver's, and the timers' (a missed call reopens or opens by it). */
export const reopenWindowMsOf = (config: Pick<Config, 'REOPEN_WINDOW_HOURS'>): number =>
  config.REOPEN_WINDOW_HOURS * 3_600_000;

/** The resolver's settings from config, the same on Lambda and in the local runtime. */
export function resolverSettings(config: Pick<Config, 'REOPEN_WINDOW_HOURS' | 'DEFAULT_REGION'>): {
  reopenWindowMs: number;
  phone: PhoneOptions;
} {
  return {
    reopenWindowMs: reopenWindowMsOf(config),
    phone: { defaultRegion: config.DEFAULT_REGION },
  };
}
