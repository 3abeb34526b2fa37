import { type Context, Hono } from 'hono';
import { answerCsatLink, type CsatLinkOutcome } from '#shared/app/answer-csat-link.js';
import type { CsatStore } from '#shared/domain/csat/csat-ports.js';
import { verifyCsatToken } from '#shared/domain/csat/token.js';
import type { Clock } from '#shared/domain/ports.js';
import { log } from '#shared/log.js';

/** What the public survey page needs: the answers' store, the clock, and the secrets links are signed with. */
export interface CsatPageDeps {
  store: CsatStore;
  clock: Clock;
  secrets: readonly string[];
}

const PAGES: Record<CsatLinkOutcome['outcome'], { status: 200 | 400 | 410; title: string; text: string }> = {
  recorded: { status: 200, title: 'Thank you!', text: 'We have your score' },
  already_answered: { status: 200, title: 'Thank you!', text: 'We already have your answer' },
  invalid: {
    status: 400,
    title: 'This link does not work',
    text: 'The survey link is incomplete or was changed. Please use the link from the email as it is.',
  },
  expired: {
    status: 410,
    title: 'This survey has closed',
    text: 'The link has expired. Thank you all the same.',
  },
  gone: { status: 410, title: 'This survey has closed', text: 'This survey is no longer available.' },
};

function page(title: string, text: string, form = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center;color:#222}button{font:inherit;padding:.6rem 1.4rem}</style></head><body><h1>${title}</h1><p>${text}</p>${form}</body></html>`;
}

/**
 * The link's page: the score it names and one button, a form posted back to the same URL (no
 * `action`: the page's own, token and score included). Only the button records the score.
 */
const confirmPage = (score: string): string =>
  page(
    'How did we do?',
    `You chose ${score} out of 5.`,
    '<form method="post"><button type="submit">Send my score</button></form>',
  );

/** The score of `?score=N` (1 to 5), or undefined after logging why not. */
function scoreOf(c: Context): string | undefined {
  const score = c.req.query('score') ?? '';
  if (/^[1-5]$/.test(score)) return score;
  log('warn', 'csat link refused', { reason: 'bad_score' });
  return undefined;
}

const BAD_SCORE = ['This link does not work', 'The score must be a number from 1 to 5.'] as const;

function headers(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  c.header('Referrer-Policy', 'no-referrer');
}

/**
 * An email survey's links, public (the token is the credential: HMAC-signed, naming the survey,
 * expiring). `GET /csat/{token}?score=N` answers the score and a button, and records nothing: mail
 * gateways open every link of a mail they let through, and took the first (5) for the customer's
 * answer. The button posts to the same URL, `POST /csat/{token}?score=N`, which records the score:
 * thanks (200), a bad link or score (400), an expired or gone survey (410). Never cached.
 */
export function createCsatPage(deps: CsatPageDeps): Hono {
  return new Hono()
    .get('/csat/:token', (c) => {
      headers(c);
      const score = scoreOf(c);
      if (!score) return c.html(page(...BAD_SCORE), 400);
      const check = verifyCsatToken(c.req.param('token'), deps.secrets, deps.clock.now());
      if (check.ok) return c.html(confirmPage(score), 200);
      log('warn', 'csat link refused', { reason: check.reason });
      const shown = PAGES[check.reason];
      return c.html(page(shown.title, shown.text), shown.status);
    })
    .post('/csat/:token', async (c) => {
      headers(c);
      const score = scoreOf(c);
      if (!score) return c.html(page(...BAD_SCORE), 400);
      const result = await answerCsatLink(deps, { token: c.req.param('token'), score: Number(score) });
      const shown = PAGES[result.outcome];
      if (shown.status !== 200) log('warn', 'csat link refused', { reason: result.outcome });
      const given = 'score' in result && result.score !== undefined ? `: ${result.score} out of 5.` : '.';
      return c.html(
        page(shown.title, shown.status === 200 ? `${shown.text}${given}` : shown.text),
        shown.status,
      );
    });
}
