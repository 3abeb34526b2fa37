import { stemmer as dutch } from '@orama/stemmers/dutch';
import { stemmer as french } from '@orama/stemmers/french';
import { stemmer as german } from '@orama/stemmers/german';
import { stemmer as italian } from '@orama/stemmers/italian';
import { stemmer as portuguese } from '@orama/stemmers/portuguese';
import { stemmer as spanish } from '@orama/stemmers/spanish';

/** The Snowball stemmers of the knowledge base's languages other than English, by ISO 639-1 code. */
const STEMMERS: Readonly<Record<string, (word: string) => string>> = {
  de: german,
  es: spanish,
  fr: french,
  it: italian,
  nl: dutch,
  pt: portuguese,
};

/**
 * The stemmer of a language other than English, or undefined. A module of its own: the resolver's
 * bundle loads it from beside itself (`kb-stemmers.cjs`, see stacks/bundling/on-demand.ts) when a
 * knowledge base in one of them is first searched, so an English one never pays its ~52 KB.
 */
export function stemmerOf(language: string): ((word: string) => string) | undefined {
  return Object.hasOwn(STEMMERS, language) ? STEMMERS[language] : undefined;
}
