import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { parseIdentitySecrets, secretOf } from '#shared/domain/webchat/identity-secrets.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(40);
const OTHERS = 'o='.repeat(20);

describe('WEBCHAT_IDENTITY_SECRET, one secret or one per site', () => {
  it('takes a plain secret as every site’s, its users keyed as ever (no space)', () => {
    const { secrets } = parseIdentitySecrets(OTHERS);
    expect(secretOf(secrets ?? { sites: new Map() }, 'https://any.example')).toEqual({ secret: OTHERS });
    expect(secretOf(secrets ?? { sites: new Map() }, undefined)).toEqual({ secret: OTHERS });
  });

  it("gives a site its own secret and user space, shared by sites of one secret; the others' keep theirs", () => {
    const value = `https://brand-b.example=${B}, https://www.brand-b.example/=${B}\n https://brand-c.example=${A} ${OTHERS}`;
    const { secrets, problems } = parseIdentitySecrets(value);
    expect(problems).toEqual([]);
    const of = (origin?: string) => secretOf(secrets ?? { sites: new Map() }, origin);
    expect(of('https://brand-b.example')).toEqual({ secret: B, space: 'https://brand-b.example' });
    expect(of('https://www.brand-b.example')).toEqual({ secret: B, space: 'https://brand-b.example' });
    expect(of('https://brand-c.example')).toEqual({ secret: A, space: 'https://brand-c.example' });
    expect(of('https://brand-a.example')).toEqual({ secret: OTHERS });
    expect(of(undefined)).toEqual({ secret: OTHERS });
    // Without an entry for the other sites, only the sites named sign.
    const only = parseIdentitySecrets(`https://brand-b.example=${B}`).secrets;
    expect(only && secretOf(only, 'https://brand-a.example')).toBeUndefined();
  });

  it.each([
    ['a short plain secret', 'short', ['at least 32 characters']],
    [
      'a short site secret',
      `https://b.example=short`,
      ['https://b.example: its secret must be at least 32 characters'],
    ],
    [
      'a site without a secret',
      `https://b.example`,
      ['https://b.example: its secret must be at least 32 characters'],
    ],
    ['a path', `https://b.example/shop=${B}`, ['"https://b.example/shop" is not an origin']],
    ['a site twice', `https://b.example=${B},https://b.example=${A}`, ['https://b.example is given twice']],
    [
      'two entries without an origin',
      `https://b.example=${B} ${A} ${OTHERS}`,
      ['more than one entry without an origin: write the others as origin=secret'],
    ],
    [
      "a site with the others' secret",
      `https://b.example=${A} ${A}`,
      ['a site has the secret of the entry without an origin: leave the site out, it has it'],
    ],
  ])('refuses %s, saying why and never the secret', (_, value, problems) => {
    expect(parseIdentitySecrets(value)).toEqual({ problems });
    let message = '';
    try {
      loadConfig({ WEBCHAT_IDENTITY_SECRET: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`WEBCHAT_IDENTITY_SECRET: ${problems[0]}`);
    expect(message).not.toContain(B);
  });

  it('loads both forms as the text written', () => {
    const value = `https://brand-b.example=${B},${OTHERS}`;
    expect(loadConfig({ WEBCHAT_IDENTITY_SECRET: value }).WEBCHAT_IDENTITY_SECRET).toBe(value);
    expect(loadConfig({ WEBCHAT_IDENTITY_SECRET: OTHERS }).WEBCHAT_IDENTITY_SECRET).toBe(OTHERS);
  });
});
