import { Hono } from 'hono';
import { answerCsatLink, type CsatLinkOutcome } from '#shared/app/answer-csat-link.js';
import type { CsatStore } from '#shared/domain/csat/csat-ports.js';
import { type CsatWords, DEFAULT_CSAT_WORDS } from '#shared/domain/csat/section.js';
import type { Clock } from '#shared/domain/ports.js';
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

type PageWords = Pick<
  CsatWords,
  'pageThanks' | 'pageRecorded' | 'pageAlreadyAnswered' | 'pageClosed' | 'pageBadLink'
>;

/** The status and the page's lines of each outcome, in the survey's words. */
function shown(
  outcome: CsatLinkOutcome['outcome'],
  words: PageWords,
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

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/**
 * The page: its first line the title and heading, the rest paragraphs, under the survey's language
 * and `dir="auto"` (an Arabic survey reads right to left). The words are the business's, escaped.
 */
function page(language: string, lines: readonly string[]): string {
  const [title = '', ...rest] = lines.map(escapeHtml);
  const body = rest.map((line) => `<p>${line}</p>`).join('');
  return `<!doctype html><html lang="${escapeHtml(language)}" dir="auto"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center;color:#222}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

/**
 * `GET /csat/{token}?score=N`: the one-click answer of an email survey, public (the token is the
 * credential: HMAC-signed, naming the survey, expiring). Answers a small page in the survey's words:
 * thanks (200), a bad link or score (400), an expired or gone survey (410). Never cached: a click must
 * reach us.
 */
export function createCsatPage(deps: CsatPageDeps): Hono {
  const wordsOf = (): CsatWords => {
    try {
      return deps.words?.() ?? DEFAULT_CSAT_WORDS;
    } catch (error) {
      // A policy that does not read is the resolver's alarm; the customer still gets an answer.
      log('error', 'csat page words unreadable', { error: String(error) });
      return DEFAULT_CSAT_WORDS;
    }
  };
  return new Hono().get('/csat/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    c.header('Referrer-Policy', 'no-referrer');
    const words = wordsOf();
    const score = c.req.query('score') ?? '';
    if (!/^[1-5]$/.test(score)) {
      log('warn', 'csat link refused', { reason: 'bad_score' });
      return c.html(page(words.language, [words.pageBadLink]), 400);
    }
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
