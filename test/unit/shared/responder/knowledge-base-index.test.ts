import { stemmer } from '@orama/stemmers/english';
import { describe, expect, it } from 'vitest';
import { buildPassageIndex, readKnowledgeBase } from '#shared/responder/knowledge-base.js';
import {
  type Article,
  parseArticle,
  SAMPLE_KNOWLEDGE_BASE,
} from '#shared/responder/knowledge-base-articles.js';
import { createPassageIndex } from '#shared/responder/knowledge-base-index.js';
import { isQuestion, splitSegments, withoutAsides } from '#shared/responder/knowledge-base-segments.js';
import { createTermPipeline, SynonymsSchema } from '#shared/responder/knowledge-base-terms.js';

const sample = await buildPassageIndex(readKnowledgeBase(SAMPLE_KNOWLEDGE_BASE));
const ids = (text: string) => sample.search(text).passages.map((passage) => passage.id);

/** An index over articles given in memory, without calibration (confidence is the raw score). */
function indexOf(articles: Article[], groups: string[][] = []) {
  const synonyms = SynonymsSchema.parse({ groups });
  const vocabulary = articles.flatMap((a) => [a.title, a.body, ...(a.questions ?? [])]);
  return createPassageIndex(articles, createTermPipeline(stemmer, synonyms, vocabulary));
}

describe('passage retrieval', () => {
  it.each([
    // The examples: the paragraph that answers, not the article's first match.
    ['what time are you open on saturday?', 'opening-hours#1'],
    ['how long does shipping take', 'shipping-times#2'],
    ['what cards do you take', 'payment-methods#1'],
    ['where can I see where my parcel is', 'tracking#1'],
    ['do you have shoes in size 47?', 'sizes#3'],
    ['Tracking says delivered but I cant find my parcel', 'tracking#3'],
    ['wher is my pakage', 'tracking#1'],
    // What cannot be returned, and how far the sizes go, are their own paragraphs.
    ["what can't i return?", 'returns#3'],
    ['what sizes do you go up to', 'sizes#1'],
  ])('answers "%s" from %s', (question, passage) => {
    expect(ids(question)).toEqual([passage]);
  });

  it('answers each question of a message, or none of them', () => {
    expect(ids('Hi! How long does delivery take? And can I pay with PayPal?')).toEqual([
      'shipping-times#2',
      'payment-methods#1',
    ]);
    expect(ids('Can I pay with PayPal? Do you ship to Canada?')).toEqual([]);
  });

  it('reads a question with what the message says of the situation, not a paragraph stating the contrary', () => {
    // "Until it ships" answers a question asked alone, not one about a parcel in transit.
    expect(ids('can I still change the delivery address?')).toEqual(['change-delivery-address#1']);
    expect(ids('My parcel was dispatched yesterday. Can I still change the delivery address?')).toEqual([
      'change-delivery-address#2',
    ]);
    expect(ids('ordered this morning and it hasnt shipped yet. can i still change the address?')).toEqual([
      'change-delivery-address#1',
    ]);
    // The situation goes only with a question whose article tells it apart (returns does not).
    const guest = sample.search(
      "Hi, my order has already been sent, so I guess it's too late to stop it now? If I have to send it back instead, how do I do that? I ordered as a guest, no account.",
    );
    expect(guest.segments.map((m) => m.passage?.id)).toEqual(['cancel-order#2', 'returns#1']);
  });

  it('answers no question from a paragraph stating the contrary of the situation, even as the best one', () => {
    const articles = [
      parseArticle(
        'address',
        '# Changing the address\n\nYou can change the address until it ships.\n\nWe deliver to every country.',
      ),
    ];
    const synonyms = SynonymsSchema.parse({
      groups: [
        ['already shipped', 'in transit'],
        ['not shipped yet', 'until it ships'],
      ],
      opposites: [['already shipped', 'not shipped yet']],
    });
    const vocabulary = articles.flatMap((a) => [a.title, a.body]);
    const index = createPassageIndex(articles, createTermPipeline(stemmer, synonyms, vocabulary));
    expect(index.search('can I change the address?').passages.map((p) => p.id)).toEqual(['address#1']);
    const inTransit = index.search('it is in transit. can I change the address?');
    expect(inTransit.passages.map((p) => p.id)).not.toContain('address#1');
  });

  it('refuses a question with a key term no article holds, and names the passage it brushed', () => {
    const found = sample.search('Do you ship to Canada?');
    expect(found.passages).toEqual([]);
    expect(found.confidence).toBe(0);
    expect(found.segments[0]?.missing).toBe('canada');
    expect(found.candidates[0]?.article.id).toBe('shipping-times');
  });

  it('refuses a question whose kind of answer the best passage cannot give, and says which', () => {
    const found = sample.search("what's your phone number?");
    expect(found.passages).toEqual([]);
    expect(found.segments[0]?.unanswered).toBe('contact');
    expect(ids('how long until the tracking link shows anything?')).not.toContain('tracking#1');
    expect(ids('do you answer messages on sundays?')).toEqual(['opening-hours#1']);
  });

  it('refuses buying a gift card: the articles say only how one pays with it', () => {
    expect(ids('can i buy a gift card for my sister?')).toEqual([]);
    expect(ids('do you sell gift vouchers?')).toEqual([]);
    expect(ids('can I pay with a gift card?')).toEqual(['payment-methods#3']);
  });

  it('refuses a parcel that came damaged or with something missing: no article covers it', () => {
    expect(ids('the parcel came open and something is missing')).toEqual([]);
    expect(ids('my parcel is missing')).toEqual(['tracking#3']);
  });

  it('refuses a price question when the passage prices something else than the words asking it', () => {
    // sizes#3 holds a price ("exchange it for free"), not the cost of a shoe.
    const found = sample.search('how much does a size 46 shoe cost');
    expect(found.passages).toEqual([]);
    expect(found.segments[0]?.unanswered).toBe('price');
    expect(ids('how much is express delivery?')).toEqual(['shipping-times#2']);
    expect(ids('does it cost anything to exchange shoes for another size?')).toEqual(['sizes#3']);
  });

  it('refuses a price asked of two things when the passage prices only one of them', () => {
    // Express costs €9.95 (domestic); international delivery is given a duration, no price.
    const found = sample.search('how much is express delivery to spain?');
    expect(found.passages).toEqual([]);
    expect(found.segments[0]?.unanswered).toBe('price');
    expect(ids('how long does express delivery take?')).toEqual(['shipping-times#2']);
    expect(ids('how long does delivery to spain take?')).toEqual(['shipping-times#2']);
  });

  it('refuses two things asked about together that the passage speaks of only in separate sentences', () => {
    const found = sample.search('can i get express delivery to ireland?');
    expect(found.passages).toEqual([]);
    expect(found.segments[0]?.unanswered).toBe('together');
    expect(ids('how long does express take to germany?')).toEqual([]);
    expect(ids('do you offer express delivery?')).toEqual(['shipping-times#2']);
  });

  it('marks whether the second, letter-trigram ranker picks the same passage', () => {
    expect(sample.search('how long does shipping take').segments[0]?.agrees).toBe(true);
    const differs = sample.search(
      'hi, bought a jacket 20 mins ago and want to undo it, is there a button for that?',
    );
    expect(differs.segments[0]?.passage?.id).toBe('cancel-order#1');
    expect(differs.segments[0]?.agrees).toBe(false);
  });

  it('refuses when two articles compete closely', () => {
    const index = indexOf([
      { id: 'a', title: 'Gift wrapping', body: 'Gift wrapping costs €3.' },
      { id: 'b', title: 'Gift wrap', body: 'Gift wrapping costs €3 per item.' },
    ]);
    const found = index.search('how much is gift wrapping');
    expect(found.passages).toEqual([]);
    expect(found.segments[0]?.score).toBe(0);
  });

  it('refuses when nothing in the question tells two paragraphs of one article apart', () => {
    const index = indexOf([
      {
        id: 'wash',
        title: 'Washing wool',
        body: 'Wash wool jumpers by hand in cold water.\n\nWash wool socks by hand in cold water too.',
      },
      { id: 'other', title: 'Opening hours', body: 'We open at 9.' },
    ]);
    const tied = index.search('how do I wash wool by hand?');
    expect(tied.passages).toEqual([]);
    expect(tied.segments[0]?.score).toBe(0);
    expect(index.search('how do I wash wool socks?').passages.map((p) => p.id)).toEqual(['wash#2']);
  });

  it('scores a passage by the share of the question it holds', () => {
    const index = indexOf([
      { id: 'care', title: 'Washing and care', body: 'Wash wool by hand in cold water.' },
      { id: 'gifts', title: 'Gift cards', body: 'Gift cards are sold in amounts of €25, €50 and €100.' },
    ]);
    const full = index.search('How do I wash wool?');
    const half = index.search('How do I wash wool in the dryer with softener?');
    expect(full.passages.map((p) => p.id)).toEqual(['care#1']);
    expect(full.score).toBeGreaterThan(0.9);
    expect(half.passages).toEqual([]);
  });

  it('gives example questions of the front matter to the paragraph they name', () => {
    const article = parseArticle(
      'pets',
      '---\nquestions:\n  - "[2] Can my cat come along?"\n  - Are dogs welcome?\n---\n# Pets\n\nDogs are welcome.\n\nCats stay at home.\n',
    );
    expect(article.questions).toEqual(['[2] Can my cat come along?', 'Are dogs welcome?']);
    const index = indexOf(
      [article, { id: 'other', title: 'Opening hours', body: 'We open at 9.' }],
      [['cat', 'kitten']],
    );
    expect(index.search('can my kitten come along').passages.map((p) => p.id)).toEqual(['pets#2']);
  });

  it("counts a word of the article's title half: it says what the article is about, not the paragraph", () => {
    const body = 'Orders leave the warehouse on working days.\n\nHolidays slow everything down.';
    const other = { id: 'other', title: 'Opening hours', body: 'We open at 9.' };
    const index = indexOf([{ id: 'shipping', title: 'Shipping', body }, other]);
    const [match] = index.search('do you ship on holidays?').segments;
    expect(match?.passage?.id).toBe('shipping#2');
    expect(match?.coverage).toBeLessThan(1);
  });

  it('leaves a comparison out of the question ("the same way as you do for shoes")', () => {
    const question = 'can I exchange a dress in the same way as you do for shoes? it is too big';
    expect(withoutAsides(question)).toBe('can I exchange a dress  ? it is too big');
    // Read as if the shoes were not named: what is asked about is the dress.
    const plain = sample.search('can I exchange a dress? it is too big');
    expect(sample.search(question).score).toBe(plain.score);
    expect(sample.search('can I exchange shoes? they are too big').score).toBeGreaterThan(plain.score);
  });

  it('leaves out the shop named as the place of the question ("in your online shop")', () => {
    expect(withoutAsides('do you take Apple Pay in your online shop?')).toBe('do you take Apple Pay  ?');
    expect(ids('I prefer paying with my phone. Do you take Apple Pay in your online shop?')).toEqual([
      'payment-methods#1',
    ]);
    expect(ids('are you an online shop only?')).toEqual(['opening-hours#2']);
  });

  it('reads a statement next to a question as its context', () => {
    expect(ids("I'm between two sizes. Which one should I take for jeans?")).toEqual(['sizes#2']);
  });

  it('takes the reading with the statement when the statement points at another paragraph', () => {
    const question = 'can I change where my order is going?';
    expect(ids(question)).toEqual(['change-delivery-address#2']);
    expect(ids(`${question} haven't had a shipping email yet`)).toEqual(['change-delivery-address#1']);
  });

  it('cuts a message into sentences, and reads a long one whole', () => {
    expect(splitSegments('Hi. Where is it?\nOk')).toEqual(['Hi.', 'Where is it?', 'Ok']);
    expect(splitSegments('Hi. Where is it?\nThanks')).toEqual(['Hi.', 'Where is it?']);
    expect(splitSegments('a. b. c. d. e. f. g.')).toEqual(['a. b. c. d. e. f. g.']);
  });

  it("leaves out an e-mail's salutation and its closing with the name signed", () => {
    expect(
      splitSegments('Dear customer service, do you accept American Express? Best wishes, Tom Baker'),
    ).toEqual(['do you accept American Express?']);
    expect(splitSegments('Hello, can I pay with PayPal? Thank you so much, Daniel')).toEqual([
      'Hello, can I pay with PayPal?',
    ]);
    // A closing word that opens a question or a longer sentence is kept.
    expect(splitSegments('thanks, where is my parcel?')).toEqual(['thanks, where is my parcel?']);
    expect(splitSegments('Thanks so much, I love the new collection btw')).toEqual([
      'Thanks so much, I love the new collection btw',
    ]);
    expect(ids('Dear customer service, could you tell me whether you accept American Express?')).toEqual([
      'payment-methods#1',
    ]);
  });

  it('leaves out a signed name with initials or a title, and cuts a preamble from its questions', () => {
    expect(splitSegments('Is this possible? Yours faithfully, R. Lindqvist')).toEqual(['Is this possible?']);
    expect(splitSegments('Open on Saturday? Kind regards, Mrs. Dubois')).toEqual(['Open on Saturday?']);
    expect(splitSegments('I am between M and L. Which one?')).toEqual([
      'I am between M and L.',
      'Which one?',
    ]);
    expect(
      splitSegments('Hi, two questions please: how do I update my address, and can I use a gift card?'),
    ).toEqual(['Hi, two questions please:', 'how do I update my address', 'can I use a gift card?']);
    expect(splitSegments('can i send a cheque lol my nan wants to order')).toEqual([
      'can i send a cheque',
      'my nan wants to order',
    ]);
  });

  it('hands off whether one order has shipped: only its tracking or a person knows', () => {
    expect(ids('order no 55102 has it shipped yet?')).toEqual([]);
    expect(sample.search('has my parcel been sent?').segments[0]?.unanswered).toBe('status');
  });

  it('reads a question speaking of "that" with the statement before it, answered or not', () => {
    expect(ids('Can I do that online?')).toEqual(['opening-hours#2']);
    // Which cancelling paragraph answers is a coin toss: handed off, not the online-shop paragraph.
    expect(ids('I want to cancel my order. Can I do that online?')).toEqual([]);
  });

  it('reads a sentence carrying on with "also", "and", "n" as a question when it asks something', () => {
    expect(isQuestion('also is klarna an option')).toBe(true);
    expect(isQuestion('n where do i find tracking')).toBe(true);
    expect(isQuestion('and if i send it back from abroad who pays postage')).toBe(true);
    expect(isQuestion('also the jumper is lovely')).toBe(false);
    expect(isQuestion('and thanks again')).toBe(false);
  });

  it('hands off a message one of whose questions it cannot answer, rather than answer it whole', () => {
    // The first question alone is sizes#3; the whole message would be too, leaving the second unanswered.
    expect(ids('shoes too big can i swap them?')).toEqual(['sizes#3']);
    expect(ids('shoes too big can i swap them? also do you have a shop in paris')).toEqual([]);
  });

  it('scores a passage two questions of a message ask by the surer of them', () => {
    const found = sample.search("where's my parcel?? how can I see where it is right now");
    const scores = found.segments.map((segment) => segment.score);
    expect(found.segments.map((segment) => segment.passage?.id)).toEqual(['tracking#1', 'tracking#1']);
    expect(Math.min(...scores)).toBeLessThan(Math.max(...scores));
    expect(found.score).toBe(Math.max(...scores));
  });

  it('reads a question that says nothing by itself with all that was told before it', () => {
    const told = 'the parcel says delivered. it is not in my letterbox. my neighbours do not have it.';
    // Read with the nearest statement alone ("neighbours"), it was the redirect paragraph.
    expect(ids(`${told} what now?`)).toEqual(['tracking#3']);
    expect(ids(`${told} any advice?`)).toEqual(['tracking#3']);
  });

  it('answers a statement that is a need of its own beside a question that does not speak of it', () => {
    expect(ids('parcel says delivered but its not here. also what times r u open').sort()).toEqual([
      'opening-hours#1',
      'tracking#3',
    ]);
    // "it" speaks of the statement: the statement is the question's context, not a second need.
    expect(ids("the swimsuit I ordered doesn't suit me. Can I send it back?")).toEqual(['returns#3']);
  });

  it('cuts two questions joined by "and" unless the second speaks of the first ("it")', () => {
    expect(splitSegments('is shipping free and do you take klarna?')).toEqual([
      'is shipping free',
      'do you take klarna?',
    ]);
    expect(splitSegments('how much is delivery and when does it arrive?')).toEqual([
      'how much is delivery and when does it arrive?',
    ]);
    expect(splitSegments('I ordered shoes and can not find the label')).toEqual([
      'I ordered shoes and can not find the label',
    ]);
    expect(ids('is shipping free and do you take klarna?')).toEqual([
      'shipping-times#2',
      'payment-methods#1',
    ]);
  });
});
