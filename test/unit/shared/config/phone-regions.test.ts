import { getCountries } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { PHONE_REGIONS } from '#shared/config/phone-regions.js';

describe('PHONE_REGIONS', () => {
  it('is the list of regions the installed libphonenumber-js has a numbering plan for', () => {
    expect([...PHONE_REGIONS].sort()).toEqual([...getCountries()].sort());
  });
});
