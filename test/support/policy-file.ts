import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: a test edits the policy's JSON freely; the runtime parses it.
type PolicyJson = Record<string, any>;

/** The shipped routing policy with a test's sections added, written where `ROUTING_POLICY_FILE` can name it. */
export function shippedPolicyFileWith(edit: (policy: PolicyJson) => void): string {
  const shipped = new URL('../../shared/domain/routing/default-policy.json', import.meta.url);
  const policy = JSON.parse(readFileSync(shipped, 'utf8')) as PolicyJson;
  edit(policy);
  const file = join(mkdtempSync(join(tmpdir(), 'threadline-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/**
 * The shipped routing policy with one SLA policy, `chat`, matching every conversation around the
 * clock: ten-minute response targets and ten hours to resolve, unless `chat` says otherwise; a test's
 * own sections added by `edit`.
 */
export function slaPolicyFile(chat: PolicyJson = {}, edit: (policy: PolicyJson) => void = () => {}): string {
  return shippedPolicyFileWith((policy) => {
    policy.sla = {
      calendars: {},
      policies: [
        {
          name: 'chat',
          match: {},
          firstResponse: 'PT10M',
          nextResponse: 'PT10M',
          resolution: 'PT10H',
          calendar: false,
          onBreach: [],
          ...chat,
        },
      ],
    };
    edit(policy);
  });
}

/**
 * The shipped routing policy open around the clock (a test's decision must not hang on when it runs),
 * with a test's own sections added by `edit`.
 */
export function alwaysOpenPolicyFile(edit: (policy: PolicyJson) => void = () => {}): string {
  return shippedPolicyFileWith((policy) => {
    policy.businessHours.hours = [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '24:00' },
    ];
    edit(policy);
  });
}
