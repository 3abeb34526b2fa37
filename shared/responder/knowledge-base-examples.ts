import type { Article, Passage } from './knowledge-base-articles.js';
import type { TermPipeline } from './knowledge-base-terms.js';

/** The example questions of an article, each given to the paragraph it names or shares most terms with. */
export function questionsByPassage(article: Article, passages: readonly Passage[], pipeline: TermPipeline) {
  const given = new Map<string, string[]>(passages.map((p) => [p.id, []]));
  const passageTerms = passages.map((p) => new Set(pipeline.terms(p.text)));
  for (const listed of article.questions ?? []) {
    // "[2] How long does delivery take?" belongs to the second paragraph; without a number, to the
    // paragraph it shares most terms with.
    const numbered = /^\[(\d{1,3})\]\s*(.+)$/.exec(listed);
    const question = numbered?.[2] ?? listed;
    const wanted = numbered ? passages[Number(numbered[1]) - 1]?.id : undefined;
    if (wanted) {
      given.get(wanted)?.push(question);
      continue;
    }
    const terms = pipeline.terms(question);
    let best = 0;
    let bestHits = -1;
    passageTerms.forEach((set, i) => {
      const hits = terms.filter((term) => set.has(term)).length;
      if (hits > bestHits) [best, bestHits] = [i, hits];
    });
    const id = passages[best]?.id;
    if (id) given.get(id)?.push(question);
  }
  return given;
}

/** How alike a question and an example question are: their shared terms' weight over all their terms'. */
export function similarity(
  terms: readonly string[],
  example: ReadonlySet<string>,
  weight: (t: string) => number,
) {
  let shared = 0;
  let all = 0;
  for (const term of new Set([...terms, ...example])) {
    const w = weight(term);
    all += w;
    if (example.has(term) && terms.includes(term)) shared += w;
  }
  return all ? shared / all : 0;
}
