import { describe, expect, it } from 'vitest';
import { MERGE_AUTHOR_ID } from '#shared/app/merge-customers.js';
import { SYSTEM_ACTOR_IDS } from '#shared/domain/api-id.js';
import { AUTOMATION_AUTHOR_ID } from '#shared/domain/automation-ports.js';
import { CLOCK_AUTHOR_ID } from '#shared/domain/clock-ports.js';
import { CSAT_AUTHOR_ID } from '#shared/domain/csat/csat-ports.js';
import { AI_AUTHOR_ID } from '#shared/domain/routing/routable.js';
import { DELIVERY_AUTHOR_ID } from '#shared/domain/waiting.js';

describe('SYSTEM_ACTOR_IDS: the ids Threadline acts under, none an agent may take', () => {
  it('lists every author id the code acts under, and nothing else', () => {
    const acting = [
      AI_AUTHOR_ID,
      CSAT_AUTHOR_ID,
      DELIVERY_AUTHOR_ID,
      CLOCK_AUTHOR_ID,
      AUTOMATION_AUTHOR_ID,
      MERGE_AUTHOR_ID,
    ];
    expect([...SYSTEM_ACTOR_IDS].sort()).toEqual([...acting].sort());
  });
});
