import Sentiment from 'sentiment';

const analyser = new Sentiment();

/**
 * AFINN weights that misread a customer-service message. Words of an ordinary request ("wrong size",
 * "a problem with my payment", "I was charged", "please help") say nothing about the mood: 0.
 * Complaint words that AFINN rates mildly are raised, so one of them marks an upset customer.
 * Values are magnitudes: the library's sign (and its negation, "not happy") is kept.
 */
const SERVICE_LEXICON: Readonly<Record<string, number>> = {
  wrong: 0,
  problem: 0,
  problems: 0,
  broken: 0,
  damaged: 0,
  lost: 0,
  missing: 0,
  delay: 0,
  delayed: 0,
  cancel: 0,
  cancelled: 0,
  charged: 0,
  charges: 0,
  pay: 0,
  stop: 0,
  error: 0,
  fail: 0,
  failed: 0,
  mistake: 0,
  accident: 0,
  accidentally: 0,
  oops: 0,
  refused: 0,
  unable: 0,
  stuck: 0,
  limited: 0,
  loose: 0,
  hurt: 0,
  sorry: 0,
  excuse: 0,
  no: 0,
  worried: 0,
  worries: 0,
  worry: 0,
  please: 0,
  help: 0,
  want: 0,
  like: 0,
  free: 0,
  kind: 0,
  care: 0,
  yes: 0,
  true: 0,
  big: 0,
  huge: 0,
  useless: 3,
  unacceptable: 3,
  disappointed: 3,
  disappointing: 3,
  scam: 4,
};

// Exasperation that AFINN has no words for ("im so done with u lot", "fed up"), and shouting: two
// or more words of three capitals or more ("its NOT HERE"; one may be an acronym or a stressed word).
const EXASPERATED = /\b(done with (you|u|ya|this)|fed up|sick of|had enough|fuming|livid|ffs|shambles)\b/i;
// Scorn, which AFINN reads kindly or not at all: "you lot are a joke" scores +2 there (a joke is fun),
// "laughable" and "are you kidding" 0. Said to a shop these mock it, so they mark an upset customer and
// are taken out of the text AFINN reads.
const SCORNFUL =
  /\b(jokes?|laughable|farce|clowns|pathetic|having a (laugh|giggle)|(are|r) (you|u) (kidding|joking|serious)|you must be (kidding|joking)|taking the (mick|mickey|piss))\b/gi;
const SHOUTED = /\b[A-Z]{3,}\b/g;
const ACRONYMS = new Set([
  'XXS',
  'XXL',
  'XXXL',
  'SMS',
  'USA',
  'EUR',
  'PDF',
  'DHL',
  'UPS',
  'GLS',
  'DPD',
  'FAQ',
]);
// A customer blaming themselves ("silly me", "my bad") is not upset with the shop.
const SELF_BLAME = /\b(?:silly|stupid|dumb|daft) me\b|\bmy (?:bad|fault|mistake)\b|\bi messed up\b/gi;
const MAX_SIGNAL_CHARS = 5000;
const UPSET = -3;

/** The sentiment of a text with the service lexicon applied (AFINN-165 via `sentiment`). */
export function scoreSentiment(text: string): number {
  const head = text.slice(0, MAX_SIGNAL_CHARS);
  const withoutScorn = head.replace(SCORNFUL, ' ');
  const { calculation } = analyser.analyze(withoutScorn.replace(SELF_BLAME, ' '));
  const shouted = (head.match(SHOUTED) ?? []).filter((word) => !ACRONYMS.has(word));
  const exasperated = EXASPERATED.test(head) || withoutScorn !== head;
  let score = (exasperated ? UPSET : 0) + (shouted.length >= 2 ? UPSET : 0);
  for (const entry of calculation) {
    for (const [word, value] of Object.entries(entry)) {
      const magnitude = SERVICE_LEXICON[word];
      score += magnitude === undefined ? value : Math.sign(value) * magnitude;
    }
  }
  return score;
}
