import { stemmer as englishStemmer } from '@orama/stemmers/english';
import * as z from 'zod';
import { derivedFrom } from './knowledge-base-derivation.js';
import { typoCorrector } from './knowledge-base-typos.js';

/** A stemmer: a word (folded: lower case, no accents) to its stem. */
export type Stemmer = (word: string) => string;

/**
 * The Snowball stemmer of an ISO 639-1 language (English's Porter stemmer for English or any unknown
 * language). Only English ships in the resolver's start-up path; the others are in a module of their
 * own, which its bundle loads from beside itself when a knowledge base in one is first built.
 */
export async function stemmerFor(language: string): Promise<Stemmer> {
  if (language === 'en') return englishStemmer;
  const { stemmerOf } = await import('#shared/responder/knowledge-base-stemmers.js');
  return stemmerOf(language) ?? englishStemmer;
}

// Words that say nothing about which passage fits: function words, greetings, politeness, chat
// shorthand. "where", "when" and "how" stay: in a shop they point at tracking, delivery times, steps.
const ENGLISH_STOP_WORDS = `a about above after again all also am an and any anything are as at be been before being
  below both but by can could did do does doing done for from further get got had has have having he her here hers
  him his i if in into is it its itself just let me more most much my myself no nor not now of off on once only or
  other our ours out over own same she should so some still such than that the their theirs them then there these
  they this those through to too under until up very was we were what which while who whom why will with would you
  your yours yourself u ur ya hi hello hey hiya dear thanks thank thx ty please pls plz ok okay yes yeah yep good
  morning afternoon evening regards cheers bye question ask asking know tell help want wanted need like one guys team
  sir madam im ive id dont cant wont isnt doesnt didnt something thing things stuff nothing say says said come came
  go going today yesterday already just really actually quick quickly anyone somebody someone m8 mate lol btw asap
  wondering wonder maybe possible possibly kindly hope hopefully put see look looks looking find show shows
  showing work works working make made use using normal different new old pick choose get gets getting give sell sells
  carry offer offers available still yet wrong right fine sure thing anyway else everything because cause
  even instead usually sometimes always never ever often option options policy policies minimum maximum
  statement mess messed suit suits able allowed allow way ways kind sort type info information details
  regarding concerning re sent send sending till until via per top bit lot lots little enough again
  normally generally exactly also though although however just guess think thought believe mean means
  without whole half recommend recommended suggest advise whether whatever whenever wherever whichever
  unless upon onto toward towards besides thus therefore hence whereas`;

const MAX_PHRASE_WORDS = 6;

/** The synonym and phrase map a business edits (knowledge-base/synonyms.json). */
export const SynonymsSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Each group's words and phrases mean the same here; the first one names the group. */
    groups: z
      .array(z.array(z.string().trim().min(1).max(80)).min(2).max(100))
      .max(2000)
      .default([]),
    /** Words to ignore on top of the built-in English ones (greetings, chat shorthand of the trade). */
    ignore: z.array(z.string().trim().min(1).max(40)).max(2000).default([]),
    /**
     * Pairs of groups, by name, that state contrary facts ("already shipped", "not shipped yet"): a
     * passage stating one does not answer a customer who states the other.
     */
    opposites: z
      .array(z.tuple([z.string().trim().min(1).max(80), z.string().trim().min(1).max(80)]))
      .max(200)
      .default([]),
  })
  .superRefine(checkSynonyms);
export type Synonyms = z.infer<typeof SynonymsSchema>;

/**
 * What the schema's shape cannot say, refused at start rather than ignored: a phrase longer than is
 * ever matched, an opposite naming no group (by its first entry, in any case), a group paired with itself.
 */
function checkSynonyms(
  synonyms: { groups: string[][]; opposites: [string, string][] },
  context: z.RefinementCtx,
): void {
  const named = (name: string) => foldWords(name).join(' ');
  const names = new Set(synonyms.groups.map((group) => named(group[0] ?? '')));
  synonyms.groups.forEach((group, g) => {
    group.forEach((entry, e) => {
      const words = foldWords(entry).length;
      if (words <= MAX_PHRASE_WORDS) return;
      const message = `"${entry}" has ${words} words: a phrase of more than ${MAX_PHRASE_WORDS} is never matched`;
      context.addIssue({ code: 'custom', path: ['groups', g, e], message });
    });
  });
  synonyms.opposites.forEach((pair, p) => {
    pair.forEach((name, n) => {
      if (names.has(named(name))) return;
      const message = `"${name}" names no group (a group is named by its first entry)`;
      context.addIssue({ code: 'custom', path: ['opposites', p, n], message });
    });
    if (named(pair[0]) === named(pair[1])) {
      context.addIssue({ code: 'custom', path: ['opposites', p], message: 'pairs a group with itself' });
    }
  });
}

const QUESTION_WORD = /^(how|what|whats|when|where|wheres|which|who|why)$/;

// A phrase holding one of these ("hasn't changed") does not say what its words say alone.
const NEGATIONS = new Set(
  'not no never nothing none nor cant cannot dont doesnt didnt isnt arent wasnt werent hasnt havent wont wouldnt couldnt shouldnt'.split(
    ' ',
  ),
);

/** Chat spellings of common words, read as the words before anything else ("hw much", "wat u accept"). */
const SHORTHAND: Readonly<Record<string, string>> = {
  u: 'you',
  ur: 'your',
  r: 'are',
  y: 'why',
  n: 'and',
  hw: 'how',
  wat: 'what',
  wot: 'what',
  wht: 'what',
  wut: 'what',
  wen: 'when',
  whn: 'when',
  whr: 'where',
  cn: 'can',
  abt: 'about',
  b4: 'before',
  bc: 'because',
  cuz: 'because',
  coz: 'because',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tonite: 'tonight',
  '2nite': 'tonight',
  nite: 'night',
  yall: 'you',
  dm: 'message',
  dms: 'messages',
  dmed: 'messaged',
  '2moro': 'tomorrow',
  '2day': 'today',
  msg: 'message',
  pkg: 'package',
  addr: 'address',
  acc: 'account',
  acct: 'account',
  thru: 'through',
  shud: 'should',
  cud: 'could',
  wud: 'would',
  pymt: 'payment',
  pmt: 'payment',
  msgd: 'messaged',
  smth: 'something',
  sth: 'something',
  xmas: 'christmas',
  mon: 'monday',
  tue: 'tuesday',
  tues: 'tuesday',
  wed: 'wednesday',
  thu: 'thursday',
  thur: 'thursday',
  thurs: 'thursday',
  fri: 'friday',
  sat: 'saturday',
  sun: 'sunday',
};
const MAX_WORD_CHARS = 40;

/** Text folded for matching: lower case, accents removed, split into words of letters and digits. */
export function foldWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && word.length <= MAX_WORD_CHARS);
}

/** Turns text into search terms: folded, stop words out, typos fixed, stemmed, synonyms merged. */
export interface TermPipeline {
  /**
   * The distinct terms of a text, in order of appearance. With `constituents` a phrase also yields
   * its words' own terms: a passage saying "we can't promise a delivery time" holds "delivery" too.
   */
  terms(text: string, constituents?: boolean): string[];
  /** The share of a text's words that are stop words, chat spellings or words of the knowledge base, as written. */
  familiar(text: string): number;
  /** Whether a term is a word of the knowledge base in any form (a synonym group's name is not). */
  known(term: string): boolean;
  /** The term stating the contrary fact (`synonyms.json` "opposites"), if any. */
  opposite(term: string): string | undefined;
}

/** Each term of a pair of contrary groups mapped to the other's; a name that is not one term is left out. */
function oppositeTerms(pairs: Synonyms['opposites'], terms: (text: string) => string[]): Map<string, string> {
  const opposites = new Map<string, string>();
  for (const [one, other] of pairs) {
    const [a, ...moreA] = terms(one);
    const [b, ...moreB] = terms(other);
    if (!a || !b || moreA.length || moreB.length || a === b) continue;
    opposites.set(a, b).set(b, a);
  }
  return opposites;
}

/** A stemmer that stems each word once: the Snowball stemmers build their regular expressions per call. */
function memoised(stemmer: Stemmer): Stemmer {
  const stems = new Map<string, string>();
  return (word) => {
    let found = stems.get(word);
    if (found === undefined) {
      found = stemmer(word);
      if (stems.size < 50_000) stems.set(word, found);
    }
    return found;
  };
}

/** The synonym groups' phrases by stemmed key, with their prefixes, whole and with stop words left out. */
interface PhraseTables {
  phrases: Map<string, string>;
  prefixes: Set<string>;
  /** "marked as delivered" as "mark deliv": matched across stop words ("marked it as delivered"). */
  gapped: Map<string, string>;
  gappedPrefixes: Set<string>;
  /** "send back" as "send back": matched with an object between ("send the jumper back"). */
  separable: Map<string, string>;
  words: Set<string>;
}

// The particles of English phrasal verbs, which may stand after the verb's object ("try the jeans on").
const PARTICLES = new Set(['back', 'on', 'off', 'up', 'out', 'over', 'down', 'away']);

function addPhrase(map: Map<string, string>, prefixes: Set<string>, key: string, name: string) {
  // A word or phrase listed in two groups belongs to the first.
  if (!map.has(key)) map.set(key, name);
  for (let end = key.indexOf(' '); end > 0; end = key.indexOf(' ', end + 1)) prefixes.add(key.slice(0, end));
}

/** The synonym groups as maps from stemmed word or phrase to group name. */
function phraseMap(groups: Synonyms['groups'], stem: Stemmer, ignore: ReadonlySet<string>): PhraseTables {
  const stemWords = (words: readonly string[]) => words.map((word) => stem(word)).join(' ');
  const tables: PhraseTables = {
    phrases: new Map(),
    prefixes: new Set(),
    gapped: new Map(),
    gappedPrefixes: new Set(),
    separable: new Map(),
    words: new Set(),
  };
  for (const group of groups) {
    const name = stemWords(foldWords(group[0] ?? ''));
    for (const entry of group) {
      const entryWords = foldWords(entry);
      for (const word of entryWords) tables.words.add(word);
      if (!entryWords.length || entryWords.length > MAX_PHRASE_WORDS) continue;
      addPhrase(tables.phrases, tables.prefixes, stemWords(entryWords), name);
      // Only a phrase with a stop word between its words ("marked as delivered") is matched across
      // stop words: "large, which size" is not "large sizes".
      const kept = entryWords.filter((word) => !ignore.has(word));
      const inner = entryWords.slice(1, -1).some((word) => ignore.has(word));
      // Never without its negation: "havent got a shipping email" is not "got the shipping email".
      const negated = entryWords.some((word) => NEGATIONS.has(word));
      if (kept.length >= 2 && inner && !negated)
        addPhrase(tables.gapped, tables.gappedPrefixes, stemWords(kept), name);
      const [verb = '', particle = ''] = entryWords;
      const phrasal = entryWords.length === 2 && PARTICLES.has(particle);
      if (phrasal && !tables.separable.has(`${stem(verb)} ${particle}`)) {
        tables.separable.set(`${stem(verb)} ${particle}`, name);
      }
    }
  }
  return tables;
}

// Stop words a gapped phrase may skip between two of its words ("marked it as delivered").
const MAX_GAP = 3;

/** The longest synonym phrase starting at word `i`: its group's name and how many words it takes. */
function phraseAt(
  tables: PhraseTables,
  words: readonly string[],
  stemmed: readonly string[],
  ignore: ReadonlySet<string>,
  i: number,
): { taken: number; term: string } {
  let taken = 1;
  const ignored = ignore.has(words[i] ?? '');
  let term = ignored ? '' : (stemmed[i] ?? '');
  let key = stemmed[i] ?? '';
  for (let n = 1; n <= MAX_PHRASE_WORDS && i + n <= stemmed.length; n += 1) {
    if (n > 1) key = `${key} ${stemmed[i + n - 1]}`;
    const name = tables.phrases.get(key);
    // A word ignored alone ("use") stays ignored even when a synonym shares its stem ("used").
    if (name !== undefined && (n > 1 || !ignored)) [taken, term] = [n, name];
    if (!tables.prefixes.has(key)) break;
  }
  // A phrasal verb with its object between ("send the jumper back", not "is the money back"): the
  // object stays a term of its own.
  for (let j = i + 2, object = false; taken === 1 && j < words.length && j <= i + 1 + MAX_GAP; j += 1) {
    object ||= !ignore.has(words[j - 1] ?? '');
    const name = object ? tables.separable.get(`${stemmed[i]} ${words[j]}`) : undefined;
    if (name !== undefined) return { taken, term: name };
  }
  if (ignored) return { taken, term };
  key = stemmed[i] ?? '';
  for (let j = i + 1, gap = 0; j < stemmed.length && gap <= MAX_GAP; j += 1) {
    if (ignore.has(words[j] ?? '')) {
      gap += 1;
      continue;
    }
    key = `${key} ${stemmed[j]}`;
    gap = 0;
    const name = tables.gapped.get(key);
    if (name !== undefined && j - i + 1 > taken) [taken, term] = [j - i + 1, name];
    if (!tables.gappedPrefixes.has(key)) break;
  }
  return { taken, term };
}

/**
 * The term pipeline of a knowledge base: words are folded (case, accents), stop words dropped, a word
 * unknown to the knowledge base corrected to the nearest known word within one or two typos, stemmed,
 * and every word or phrase of a synonym group replaced by the group's name, so "parcels", "packages"
 * and "pakage" all become one term. `vocabulary` is every text of the knowledge base.
 */
export function createTermPipeline(
  stemmer: Stemmer,
  synonyms: Synonyms,
  vocabulary: readonly string[],
): TermPipeline {
  const stem = memoised(stemmer);
  // A built-in stop word that a synonym group lists alone ("sell", "carry") is a word of the shop's.
  const listed = new Set(
    synonyms.groups
      .flat()
      .filter((entry) => foldWords(entry).length === 1)
      .flatMap(foldWords),
  );
  const builtIn = ENGLISH_STOP_WORDS.split(/\s+/).filter((word) => !listed.has(word));
  const ignore = new Set([...builtIn, ...synonyms.ignore.flatMap(foldWords)]);
  const tables = phraseMap(synonyms.groups, stem, ignore);
  const known = tables.words;
  for (const text of vocabulary) for (const word of foldWords(text)) known.add(word);
  const typo = typoCorrector(known);
  // A synonym group names a topic: its name is not a known word, so a question about a topic no
  // article covers is refused. Words are known in any form, even when the articles use them only
  // inside a phrase.
  const knownStems = new Set<string>();
  for (const word of known) knownStems.add(stem(word));
  for (const name of tables.phrases.values()) knownStems.delete(name.replace(/ /g, '_'));
  const isKnown = (word: string) => known.has(word) || knownStems.has(stem(word));
  const correct = (word: string) => {
    const fixed = typo(word);
    return fixed !== word || isKnown(word) ? fixed : (derivedFrom(word, (w) => known.has(w)) ?? word);
  };

  const terms = (text: string, constituents = false) => {
    const words = foldWords(text).map((word) => {
      const spelled = SHORTHAND[word] ?? word;
      return ignore.has(spelled) ? spelled : correct(spelled);
    });
    const stemmed = words.map((word) => stem(word));
    const found: string[] = [];
    for (let i = 0; i < stemmed.length; ) {
      const { taken, term } = phraseAt(tables, words, stemmed, ignore, i);
      if (term.length > 1 || /\d/.test(term)) found.push(term.replace(/ /g, '_'));
      const negated = words.slice(i, i + taken).some((word) => NEGATIONS.has(word));
      for (let j = i; constituents && taken > 1 && !negated && j < i + taken; j += 1) {
        const alone = stemmed[j] ?? '';
        if (ignore.has(words[j] ?? '') || alone.length < 2) continue;
        found.push((tables.phrases.get(alone) ?? alone).replace(/ /g, '_'));
      }
      i += taken;
    }
    return [...new Set(found)];
  };
  const opposites = oppositeTerms(synonyms.opposites, terms);
  return {
    terms,
    known: (term) => knownStems.has(term),
    opposite: (term) => opposites.get(term),
    familiar(text) {
      const words = foldWords(text);
      const familiar = words.filter(
        (w) => ignore.has(w) || SHORTHAND[w] || known.has(w) || QUESTION_WORD.test(w),
      );
      return words.length ? familiar.length / words.length : 0;
    },
  };
}
