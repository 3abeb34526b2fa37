import { stemmer } from '@orama/stemmers/english';
import { describe, expect, it } from 'vitest';
import { derivedFrom } from '#shared/responder/knowledge-base-derivation.js';
import {
  createTermPipeline,
  foldWords,
  SynonymsSchema,
  stemmerFor,
} from '#shared/responder/knowledge-base-terms.js';
import { editDistance } from '#shared/responder/knowledge-base-typos.js';

const synonyms = SynonymsSchema.parse({
  groups: [
    ['parcel', 'package', 'order'],
    ['track', 'tracking', 'where is my'],
    ['cash on delivery', 'cod', 'pay the courier'],
    ['cost', 'price', 'how much'],
  ],
  ignore: ['m8'],
});
const pipeline = createTermPipeline(stemmer, synonyms, ['Where is my order? Shipping and delivery costs.']);

describe('the term pipeline', () => {
  it('folds case and accents and splits on anything but letters and digits', () => {
    expect(foldWords("Où est mon COLIS? Can't wait—2 days")).toEqual([
      'ou',
      'est',
      'mon',
      'colis',
      'cant',
      'wait',
      '2',
      'days',
    ]);
  });

  it('reads a word the knowledge base does not know as the known word it derives from', () => {
    const known = new Set(['notify', 'cancel', 'exchange', 'send', 'track', 'app', 'leg']);
    const isKnown = (word: string) => known.has(word);
    expect(derivedFrom('notification', isKnown)).toBe('notify');
    expect(derivedFrom('cancellation', isKnown)).toBe('cancel');
    expect(derivedFrom('exchangeable', isKnown)).toBe('exchange');
    expect(derivedFrom('sender', isKnown)).toBe('send');
    expect(derivedFrom('trackable', isKnown)).toBe('track');
    // A base of three letters is another word more often than the root.
    expect(derivedFrom('apply', isKnown)).toBeUndefined();
    expect(derivedFrom('legal', isKnown)).toBeUndefined();
    const notifying = createTermPipeline(stemmer, synonyms, ['We notify you by email.']);
    expect(notifying.terms('will I get a notification')).toEqual(notifying.terms('will I get a notify'));
  });

  it('matches a phrasal verb with its object between ("send the jumper back"), not a noun beside its particle', () => {
    const returns = SynonymsSchema.parse({ groups: [['return', 'send back', 'money back']] });
    const terms = createTermPipeline(stemmer, returns, ['Returns are free. We send the money back.']);
    expect(terms.terms('can i send the jumper back').slice(0, 2)).toEqual(['return', 'jumper']);
    expect(terms.terms('when is the money actually back on my card')).not.toContain('return');
  });

  it('drops stop words, greetings and the ignore list, and stems what is left', () => {
    expect(pipeline.terms('Hi m8, thanks! Shipping deliveries please')).toEqual(['ship', 'deliveri']);
  });

  it('merges a synonym group, phrases first and longest first, whatever the inflection', () => {
    expect(pipeline.terms('parcels')).toEqual(['parcel']);
    expect(pipeline.terms('my Packages')).toEqual(['parcel']);
    expect(pipeline.terms('Where is my order?')).toEqual(['track', 'parcel']);
    expect(pipeline.terms('can I pay the courier')).toEqual(['cash_on_deliveri']);
    expect(pipeline.terms('how much is it')).toEqual(['cost']);
  });

  it('keeps a word ignored alone out of a synonym group that shares its stem, but not out of a phrase', () => {
    const worn = createTermPipeline(
      stemmer,
      SynonymsSchema.parse({
        groups: [
          ['unworn', 'used', 'worn'],
          ['manual', 'how to use'],
        ],
      }),
      ['Items can be returned unworn.'],
    );
    expect(worn.terms('can I use klarna')).toEqual(['klarna']);
    expect(worn.terms('it was used once')).toEqual(['unworn']);
    expect(worn.terms('how to use it')).toEqual(['manual']);
  });

  it('corrects a word unknown to the knowledge base within one typo (two for long words)', () => {
    expect(pipeline.terms('pakage')).toEqual(['parcel']);
    expect(pipeline.terms('shiping')).toEqual(['ship']);
    expect(pipeline.terms('delivrey costs')).toEqual(['deliveri', 'cost']);
    // "wher" is one edit from "where" and from "when": the longer shared start wins.
    expect(pipeline.terms('wher is my package')).toEqual(['track', 'parcel']);
    // Short words are not guessed at, and a word far from any known one stays as it is.
    expect(pipeline.terms('canada')).toEqual(['canada']);
  });

  it('tells words of the knowledge base (in any form) from unknown ones and group names', () => {
    expect(pipeline.known('ship')).toBe(true);
    expect(pipeline.known('canada')).toBe(false);
    expect(pipeline.known('parcel')).toBe(false);
  });

  it('measures edit distance with transpositions, stopping past the limit', () => {
    expect(editDistance('recieve', 'receive', 2)).toBe(1);
    expect(editDistance('adress', 'address', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });

  it("loads the stemmer of the knowledge base's language, English otherwise", async () => {
    expect((await stemmerFor('de'))('lieferungen')).not.toBe('lieferungen');
    expect((await stemmerFor('xx'))('shipping')).toBe('ship');
  });

  it('refuses a synonym file that is not the expected shape', () => {
    expect(SynonymsSchema.safeParse({ groups: [['alone']] }).success).toBe(false);
    expect(SynonymsSchema.safeParse({ groups: [], typo: [] }).success).toBe(false);
  });

  it('matches a phrase across the stop words between its words', () => {
    const marked = createTermPipeline(
      stemmer,
      SynonymsSchema.parse({ groups: [['marked delivered', 'marked as delivered']] }),
      ['Marked as delivered.'],
    );
    expect(marked.terms('the courier marked it as delivered')).toEqual(['courier', 'mark_deliv']);
    expect(marked.terms('marked it as delivered')).toEqual(marked.terms('marked as delivered'));
    // A phrase written without stop words inside is matched only as written.
    const sizes = createTermPipeline(stemmer, SynonymsSchema.parse({ groups: [['xxl', 'large sizes']] }), []);
    expect(sizes.terms('large sizes')).toEqual(['xxl']);
    expect(sizes.terms('a large, which size?')).toEqual(['larg', 'size']);
  });

  it('never matches a negated phrase across stop words without its negation', () => {
    const email = createTermPipeline(
      stemmer,
      SynonymsSchema.parse({ groups: [['not shipped yet', 'havent got a shipping email']] }),
      [],
    );
    expect(email.terms('I havent got a shipping email')).toEqual(['not_ship_yet']);
    expect(email.terms('got the shipping email today')).not.toContain('not_ship_yet');
  });

  it('pairs the terms of two groups stating contrary facts', () => {
    const shipped = createTermPipeline(
      stemmer,
      SynonymsSchema.parse({
        groups: [
          ['already shipped', 'in transit'],
          ['not shipped yet', 'until it ships'],
        ],
        opposites: [['already shipped', 'not shipped yet']],
      }),
      [],
    );
    expect(shipped.terms('it is in transit')).toEqual(['alreadi_ship']);
    expect(shipped.opposite('alreadi_ship')).toBe('not_ship_yet');
    expect(shipped.opposite('not_ship_yet')).toBe('alreadi_ship');
    expect(shipped.opposite('parcel')).toBeUndefined();
    expect(pipeline.opposite('alreadi_ship')).toBeUndefined();
  });

  it('refuses opposites naming no group, and phrases longer than are ever matched, naming the entry', () => {
    const groups = [
      ['already shipped', 'in transit'],
      ['not shipped yet', 'until it ships'],
    ];
    const issue = (synonyms: unknown) => {
      const parsed = SynonymsSchema.safeParse(synonyms);
      return parsed.success
        ? undefined
        : `${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`;
    };
    expect(issue({ groups, opposites: [['Already Shipped', 'not shipped yet']] })).toBeUndefined();
    expect(issue({ groups, opposites: [['already shipped', 'a name of no group']] })).toBe(
      'opposites.0.1 "a name of no group" names no group (a group is named by its first entry)',
    );
    expect(issue({ groups, opposites: [['not shipped yet', 'not shipped yet']] })).toBe(
      'opposites.0 pairs a group with itself',
    );
    expect(issue({ groups: [['reply time', 'when will someone get back to me']] })).toBe(
      'groups.0.1 "when will someone get back to me" has 7 words: a phrase of more than 6 is never matched',
    );
  });

  it("gives a passage its phrases' own words too, but not a negated phrase's", () => {
    const words = createTermPipeline(
      stemmer,
      SynonymsSchema.parse({
        groups: [
          ['how long', 'delivery time'],
          ['scan', 'not changed'],
        ],
      }),
      [],
    );
    expect(words.terms('a delivery time')).toEqual(['how_long']);
    expect(words.terms('a delivery time', true)).toEqual(['how_long', 'deliveri', 'time']);
    expect(words.terms('it has not changed', true)).toEqual(['scan']);
  });

  it('keeps a built-in stop word that a synonym group lists alone', () => {
    const shop = createTermPipeline(stemmer, SynonymsSchema.parse({ groups: [['sell', 'carry']] }), []);
    expect(shop.terms('do you carry shoes')).toEqual(['sell', 'shoe']);
    expect(pipeline.terms('do you carry shoes')).toEqual(['shoe']);
  });

  it('reads chat spellings as the words they stand for', () => {
    expect(pipeline.terms('hw much is the delivry')).toEqual(pipeline.terms('how much is the delivery'));
    expect(pipeline.terms('wen does it ship if i order tonite')).toEqual(
      pipeline.terms('when does it ship if i order tonight'),
    );
    // Weekdays and holidays written short, and chat past tenses.
    const days = createTermPipeline(stemmer, SynonymsSchema.parse({}), [
      'Open Tuesday to Saturday, closed at Christmas; messaged',
    ]);
    expect(days.terms('open tues and sat? closed at xmas? msgd u')).toEqual(
      days.terms('open tuesday and saturday? closed at christmas? messaged you'),
    );
    expect(days.terms('sat')).toEqual(days.terms('saturday'));
  });

  it('does not read a word two letters longer or shorter as a typo of another', () => {
    const countries = createTermPipeline(stemmer, SynonymsSchema.parse({}), ['We ship to Austria.']);
    expect(countries.terms('ship to australia')).toEqual(['ship', 'australia']);
    expect(countries.terms('ship to austrai')).toEqual(['ship', 'austria']);
  });

  it('does not read two typos that change the first letter as a typo ("exception" is not "reception")', () => {
    const desk = createTermPipeline(stemmer, SynonymsSchema.parse({}), ['Leave it at reception.']);
    const reception = desk.terms('leave it at reception');
    expect(desk.terms('leave it at recepton')).toEqual(reception);
    expect(desk.terms('leave it at rceeptoin')).toEqual(reception);
    expect(desk.terms('leave it at exception')).not.toEqual(reception);
  });

  it('tells how much of a text is its own words', () => {
    expect(pipeline.familiar('where is my order?')).toBe(1);
    expect(pipeline.familiar('Wo ist mein Paket?')).toBeLessThan(0.5);
  });
});
