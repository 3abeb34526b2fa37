import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { answerCsatLink, type CsatLinkOutcome } from '#shared/app/answer-csat-link.js';
import type { CsatStore } from '#shared/domain/csat/csat-ports.js';
import { type CsatWords, DEFAULT_CSAT_WORDS } from '#shared/domain/csat/section.js';
import { verifyCsatToken } from '#shared/domain/csat/token.js';
import type { Clock } from '#shared/domain/ports.js';
import { strictTransport } from '#shared/http/answer-headers.js';
import { log } from '#shared/log.js';

/**
 * What the public survey page needs: the answers' store, the clock, the secrets links are signed with,
 * and the policy's survey words (`csat.words`, read on the first click), so the page speaks the
 * survey's language. Without them, English.
 */
export interface CsatPageDeps {
  store: CsatStore;
  clock: Clock;
  secrets: readonly string[];
  words?: () => CsatWords | undefined;
}

/** The status and the page's lines of each outcome, in the survey's words. */
function shown(
  outcome: CsatLinkOutcome['outcome'],
  words: CsatWords,
): { status: 200 | 400 | 410; lines: string[] } {
  switch (outcome) {
    case 'recorded':
      return { status: 200, lines: [words.pageThanks, words.pageRecorded] };
    case 'already_answered':
      return { status: 200, lines: [words.pageThanks, words.pageAlreadyAnswered] };
    case 'invalid':
      return { status: 400, lines: [words.pageBadLink] };
    default:
      return { status: 410, lines: [words.pageClosed] };
  }
}

/**
 * The page: its first line the title and heading, the rest paragraphs, then `form` (ours), under the
 * survey's language and `dir="auto"` (an Arabic survey reads right to left). The words are the
 * business's: hono's `html` template escapes every value put in it, so none can be markup.
 */
function page(language: string, lines: readonly string[], form?: ReturnType<typeof html>) {
  const [title = '', ...rest] = lines;
  return html`<!doctype html><html lang="${language}" dir="auto"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center;color:#222}button{font:inherit;padding:.6rem 1.4rem}</style></head><body><h1>${title}</h1>${rest.map((line) => html`<p>${line}</p>`)}${form}</body></html>`;
}

/**
 * The link's page: the score it names and one button, a form posted back to the same URL (no
 * `action`: the page's own, token and score included). Only the button records the score.
 */
const confirmPage = (words: CsatWords, score: string) =>
  page(
    words.language,
    [words.pageConfirm, words.pageChosen.replace('{score}', score)],
    html`<form method="post"><button type="submit">${words.pageSend}</button></form>`,
  );

/** The score of `?score=N` (1 to 5), or undefined after logging why not. */
function scoreOf(c: Context): string | undefined {
  const score = c.req.query('score') ?? '';
  if (/^[1-5]$/.test(score)) return score;
  log('warn', 'csat link refused', { reason: 'bad_score' });
  return undefined;
}

/**
 * Never cached, nothing from elsewhere, and never framed by another site: its one button records the
 * customer's score, which a page framing it could get clicked (`frame-ancestors`; `X-Frame-Options`
 * for browsers without it).
 */
function headers(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

/** The policy's survey words, or the English ones when there are none or the policy does not read. */
function wordsOf(deps: CsatPageDeps): CsatWords {
  try {
    return deps.words?.() ?? DEFAULT_CSAT_WORDS;
  } catch (error) {
    // A policy that does not read is the resolver's alarm; the customer still gets an answer.
    log('error', 'csat page words unreadable', { error: String(error) });
    return DEFAULT_CSAT_WORDS;
  }
}

/**
 * An email survey's links, public (the token is the credential: HMAC-signed, naming the survey,
 * expiring), answered in the survey's words. `GET /csat/{token}?score=N` answers the score and a
 * button, and records nothing: mail gateways open every link of a mail they let through, and took the
 * first (5) for the customer's answer. The button posts to the same URL, `POST /csat/{token}?score=N`,
 * which records the score: thanks (200), a bad link or score (400), an expired or gone survey (410).
 * Never cached.
 */
export function createCsatPage(deps: CsatPageDeps): Hono {
  return new Hono()
    .use('/csat/*', strictTransport)
    .get('/csat/:token', (c) => {
      headers(c);
      const words = wordsOf(deps);
      const score = scoreOf(c);
      if (!score) return c.html(page(words.language, [words.pageBadLink]), 400);
      const check = verifyCsatToken(c.req.param('token'), deps.secrets, deps.clock.now());
      if (check.ok) return c.html(confirmPage(words, score), 200);
      log('warn', 'csat link refused', { reason: check.reason });
      const { status, lines } = shown(check.reason, words);
      return c.html(page(words.language, lines), status);
    })
    .post('/csat/:token', async (c) => {
      headers(c);
      const words = wordsOf(deps);
      const score = scoreOf(c);
      if (!score) return c.html(page(words.language, [words.pageBadLink]), 400);
      const result = await answerCsatLink(deps, { token: c.req.param('token'), score: Number(score) });
      const { status, lines } = shown(result.outcome, words);
      if (status !== 200) log('warn', 'csat link refused', { reason: result.outcome });
      const given = 'score' in result && result.score !== undefined ? String(result.score) : '';
      return c.html(
        page(
          words.language,
          lines.map((line) => line.replace('{score}', given)),
        ),
        status,
      );
    });
}
