import { describe, expect, it } from 'vitest';
import { createCsatPage } from '#shared/api/csat-page.js';
import { CsatSectionSchema } from '#shared/domain/csat/section.js';
import { signCsatToken } from '#shared/domain/csat/token.js';
import { fakeCsatStore } from '../../../support/csat-store.js';

const SECRET = 'csat-page-test-secret-0123456789abcdef';
const now = new Date('2026-12-03T11:00:00.000Z');
const token = (claims: { c?: string; e?: number } = {}) =>
  signCsatToken(
    { s: 'sv1', c: 'cv_1', u: 'cu_1', t: '2026-12-03T10:10:00.000Z', e: now.getTime() + 60_000, ...claims },
    SECRET,
  );

/** A survey section written in Portuguese, the answer page's words with it. */
const portuguese = CsatSectionSchema.parse({
  question: 'Como correu? Avalie de 1 a 5.',
  words: {
    language: 'pt-PT',
    email: 'Clique na sua nota (5 é a melhor):',
    pageThanks: 'Obrigado!',
    pageRecorded: 'Registámos a sua nota: {score} em 5.',
    pageAlreadyAnswered: 'Já tínhamos a sua resposta: {score} em 5.',
    pageClosed: 'Este inquérito já fechou.',
    pageBadLink: 'Esta ligação não funciona.',
    pageConfirm: 'Como correu?',
    pageChosen: 'Escolheu {score} em 5.',
    pageSend: 'Enviar a minha nota',
  },
}).words;

function pageWith(words?: () => typeof portuguese | undefined) {
  const { store } = fakeCsatStore();
  const app = createCsatPage({
    store,
    clock: { now: () => now },
    secrets: [SECRET],
    ...(words ? { words } : {}),
  });
  return async (path: string, method = 'POST') => {
    const response = await app.request(path, { method });
    return { status: response.status, html: await response.text() };
  };
}

describe('the email survey answer page', () => {
  it("speaks the survey's language: thanks, the score, the score already given, a bad or closed link", async () => {
    const get = pageWith(() => portuguese);
    // The link opens the score and its button (a mail scanner opening it records nothing).
    const opened = await get(`/csat/${token()}?score=4`, 'GET');
    expect(opened.status).toBe(200);
    expect(opened.html).toContain(
      '<h1>Como correu?</h1><p>Escolheu 4 em 5.</p><form method="post"><button type="submit">Enviar a minha nota</button></form>',
    );
    expect((await get(`/csat/${token({ e: now.getTime() - 1 })}?score=3`, 'GET')).html).toContain(
      'Este inquérito já fechou.',
    );
    const first = await get(`/csat/${token()}?score=4`);
    expect(first.status).toBe(200);
    expect(first.html).toContain('<html lang="pt-PT" dir="auto">');
    expect(first.html).toContain('<h1>Obrigado!</h1><p>Registámos a sua nota: 4 em 5.</p>');
    expect(first.html).not.toMatch(/Thank|score/i);
    expect(opened.html).not.toMatch(/Thank|score|How did/i);
    expect((await get(`/csat/${token()}?score=2`)).html).toContain('Já tínhamos a sua resposta: 4 em 5.');
    expect(await get(`/csat/${token()}?score=9`)).toEqual({
      status: 400,
      html: expect.stringContaining('Esta ligação não funciona.'),
    });
    expect(await get(`/csat/x${token()}?score=3`)).toEqual({
      status: 400,
      html: expect.stringContaining('Esta ligação não funciona.'),
    });
    expect(await get(`/csat/${token({ e: now.getTime() - 1 })}?score=3`)).toEqual({
      status: 410,
      html: expect.stringContaining('Este inquérito já fechou.'),
    });
    expect((await get(`/csat/${token({ c: 'cv_gone' })}?score=3`)).status).toBe(410);
  });

  it('is English without words, or when the policy does not read', async () => {
    const english = await pageWith()(`/csat/${token()}?score=5`);
    expect(english.html).toContain('<html lang="en" dir="auto">');
    expect(english.html).toContain('<h1>Thank you!</h1><p>We have your score: 5 out of 5.</p>');
    const broken = await pageWith(() => {
      throw new Error('policy file unreadable');
    })(`/csat/${token()}?score=5`);
    expect(broken).toEqual({ status: 200, html: expect.stringContaining('We have your score: 5 out of 5.') });
  });

  it("escapes the business's words (they are text, not markup)", async () => {
    const get = pageWith(() => ({ ...portuguese, pageThanks: 'Obrigado <b>&</b> até já' }));
    expect((await get(`/csat/${token()}?score=3`)).html).toContain(
      '<h1>Obrigado &lt;b&gt;&amp;&lt;/b&gt; até já</h1>',
    );
  });

  it('escapes script and quotes in every word of the confirm page, the button too', async () => {
    const attack = `<script>alert("x")</script>'"`;
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;';
    const get = pageWith(() => ({
      ...portuguese,
      pageConfirm: `Como ${attack}`,
      pageChosen: `{score} ${attack}`,
      pageSend: `Enviar ${attack}`,
    }));
    const { html } = await get(`/csat/${token()}?score=4`, 'GET');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<title>Como ${escaped}</title>`);
    expect(html).toContain(`<p>4 ${escaped}</p>`);
    expect(html).toContain(`<button type="submit">Enviar ${escaped}</button>`);
  });
});
