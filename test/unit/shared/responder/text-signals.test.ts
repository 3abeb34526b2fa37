import { describe, expect, it } from 'vitest';
import { scoreSentiment } from '#shared/responder/text-signals.js';

describe('sentiment', () => {
  it.each([
    ['I ordered the wrong size, can I exchange it?', 0],
    ['I have a problem with my payment', 0],
    ['You people are useless', -3],
    ['I am not happy with this', -3],
    ['I was charged twice, wtf', -4],
    ['Great, thanks!', 5],
    // Exasperation AFINN has no word for, and shouting (two words in capitals, sizes and acronyms aside).
    ['im so done with u lot, where is my parcel', -3],
    ['tracking says delivered and its NOT HERE', -3],
    ['is the XXL jacket sent by SMS tracking?', 0],
    ['the parcel is NOT here', 0],
    // Blaming oneself is not being upset with the shop.
    ['silly me, I ordered the same jumper twice by accident', 0],
    ['oops my bad, wrong address', 0],
    ['your website is stupid', -2],
    // Scorn that AFINN reads kindly ("joke" +2) or not at all: upset, whatever the library's sign.
    ['THIRD TIME asking. where is my parcel?? you lot are a joke', -6],
    ['is this some kind of joke? still no parcel', -3],
    ['you lot are having a laugh, where is it', -3],
    ['are you kidding me, two weeks', -3],
    ['pathetic service', -3],
  ])('scores the sentiment of "%s" as %d', (text, score) => {
    expect(scoreSentiment(text)).toBe(score);
  });
});
