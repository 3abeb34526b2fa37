import { foldText } from '../domain/responder.js';

/** A passage as the second ranker sees it: its id and all the text that describes it. */
export interface TrigramDocument {
  id: string;
  text: string;
}

interface Vector {
  weights: Map<string, number>;
  norm: number;
}

const MAX_TEXT = 2000;

/** The letter trigrams of a text's words (" parcel " gives " pa", "par", ... "el "), with their counts. */
function trigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of foldText(text.slice(0, MAX_TEXT)).split(' ')) {
    if (!word) continue;
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i += 1) {
      const gram = padded.slice(i, i + 3);
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * A second ranker, independent of the term pipeline (no stemming, synonyms or typo correction): the
 * passages' letter trigrams weighted by TF-IDF, ranked by cosine. Where it picks the same passage as
 * the lexical index, the answer was right far more often on the tuning questions, so agreement raises
 * the confidence. Returns the id of the passage it ranks first, if any trigram is shared.
 */
export function createTrigramRanker(
  documents: readonly TrigramDocument[],
): (text: string) => string | undefined {
  const counted = documents.map((doc) => ({ id: doc.id, grams: trigrams(doc.text) }));
  const frequency = new Map<string, number>();
  for (const doc of counted)
    for (const gram of doc.grams.keys()) frequency.set(gram, (frequency.get(gram) ?? 0) + 1);
  const idf = (gram: string) => Math.log(1 + documents.length / ((frequency.get(gram) ?? 0) + 0.5));
  const vector = (grams: Map<string, number>): Vector => {
    const weights = new Map<string, number>();
    let sum = 0;
    for (const [gram, count] of grams) {
      const weight = (1 + Math.log(count)) * idf(gram);
      weights.set(gram, weight);
      sum += weight * weight;
    }
    return { weights, norm: Math.sqrt(sum) };
  };
  const vectors = counted.map((doc) => vector(doc.grams));
  // Inverted: each trigram's passages and weights, so a question touches only the passages it shares.
  const postings = new Map<string, { doc: number; weight: number }[]>();
  vectors.forEach((doc, i) => {
    for (const [gram, weight] of doc.weights) {
      const list = postings.get(gram) ?? [];
      list.push({ doc: i, weight: weight / (doc.norm || 1) });
      postings.set(gram, list);
    }
  });
  return (text) => {
    const query = vector(trigrams(text));
    const dots = new Float64Array(documents.length);
    for (const [gram, weight] of query.weights) {
      for (const posting of postings.get(gram) ?? []) {
        dots[posting.doc] = (dots[posting.doc] ?? 0) + weight * posting.weight;
      }
    }
    let best = -1;
    for (let i = 0; i < dots.length; i += 1) if ((dots[i] ?? 0) > (dots[best] ?? 0)) best = i;
    return best < 0 ? undefined : documents[best]?.id;
  };
}
