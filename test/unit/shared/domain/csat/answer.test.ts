import { describe, expect, it } from 'vitest';
import { csatChoiceId, parseCsatAnswer, parseCsatText, scoreOfChoice } from '#shared/domain/csat/answer.js';

describe('parseCsatText', () => {
  it.each([
    ['5', { score: 5 }],
    [' 3 ', { score: 3 }],
    ['5 great service', { score: 5, comment: 'great service' }],
    ['1 - never again', { score: 1, comment: 'never again' }],
    ['4, quick answer!', { score: 4, comment: 'quick answer!' }],
    ['4/5', { score: 4 }],
    ['4 / 5 thanks', { score: 4, comment: 'thanks' }],
    ['4 out of 5', { score: 4 }],
    ['3 of 5 stars', { score: 3 }],
    ['2 stars', { score: 2 }],
    ['⭐⭐⭐⭐', { score: 4 }],
    ['⭐️⭐️⭐️⭐️⭐️', { score: 5 }],
    ['five', { score: 5 }],
    ['Three!', { score: 3 }],
    ['５', { score: 5 }],
    ['5 - Excellent', { score: 5, comment: 'Excellent' }],
    ['5 thanks, great service', { score: 5, comment: 'thanks, great service' }],
    ['1 nobody answered for two hours!!', { score: 1, comment: 'nobody answered for two hours!!' }],
  ])('reads %j as %j', (text, answer) => {
    expect(parseCsatText(text)).toEqual(answer);
  });

  it.each([
    ['0'],
    ['6'],
    ['10'],
    ['3.5'],
    ['4,5'],
    ['2-3'],
    ['2 to 3'],
    ['1 to 5'],
    ['one more thing: my order'],
    ['where is my order 5'],
    ['hello'],
    [''],
    ['⭐⭐⭐⭐⭐⭐'],
    [`5 ${'x'.repeat(600)}`],
    ['2 items from my other order never arrived, can someone help me?'],
    ['2 items from my other order never arrived'],
    ['3 days and still no reply'],
    ['1 why was I charged twice?'],
    ['4 thanks, but can you also cancel my other booking'],
    ['5 great, one more thing though: I need the invoice for last month sent to my work address today'],
  ])('reads %j as no answer', (text) => {
    expect(parseCsatText(text)).toBeUndefined();
  });

  // Lucía's customers in Lisbon, Brazil, Spain and the Gulf answer in their own words and digits.
  it.each([
    ['5 ótimo atendimento', { score: 5, comment: 'ótimo atendimento' }],
    ['4 de 5', { score: 4 }],
    ['3 estrelas', { score: 3 }],
    ['cinco', { score: 5 }],
    ['Três!', { score: 3 }],
    ['5 muy buena atención', { score: 5, comment: 'muy buena atención' }],
    ['4 de 5 estrellas', { score: 4 }],
    ['cuatro', { score: 4 }],
    ['٥', { score: 5 }],
    ['۴', { score: 4 }],
    ['٥، خدمة ممتازة', { score: 5, comment: 'خدمة ممتازة' }],
    ['٣ نجوم', { score: 3 }],
    ['خمسة', { score: 5 }],
    // A remark stays a remark: none of Brazil's request words in it.
    ['5 adorei, obrigada!!', { score: 5, comment: 'adorei, obrigada!!' }],
    ['3 mais ou menos', { score: 3, comment: 'mais ou menos' }],
    ['1 péssimo atendimento', { score: 1, comment: 'péssimo atendimento' }],
    ['5 nada a reclamar', { score: 5, comment: 'nada a reclamar' }],
    ['4 agora sim', { score: 4, comment: 'agora sim' }],
  ])('reads %j (Portuguese, Spanish, Arabic) as %j', (text, answer) => {
    expect(parseCsatText(text)).toEqual(answer);
  });

  it.each([
    // A new request after a digit is a message, in Portuguese, Spanish and Arabic as in English.
    ['2 encomendas ainda não chegaram'],
    ['1 a encomenda não chegou, podem ajudar'],
    ['3 dias e nada'],
    ['1 quero devolver o casaco'],
    ['2 preciso de trocar o tamanho'],
    ['1 onde está o meu pedido'],
    ['2 productos llegaron rotos'],
    ['1 mi pedido no ha llegado, necesito ayuda'],
    ['1 quiero un reembolso'],
    ['1 ¿dónde está mi pedido'],
    ['2 وين طلبي؟'],
    ['1 لم يصل طلبي'],
    ['٢ أريد إرجاع المنتج'],
    ['٣ أيام ولا رد'],
    ['٣٫٥'],
    ['2 a 3'],
    // Brazil's WhatsApp shorthand: a new problem after the score ("cadê", "kd", "pfv", "até agora").
    ['1 veio faltando peça'],
    ['2 e o meu estorno'],
    ['1 cadê o resto'],
    ['1 kd o reembolso'],
    ['1 me liga pfv'],
    ['1 até agora nada'],
    ['2 não veio o brinde'],
    ['1 o tênis veio errado manda outro'],
    ['2 tive um problema com a devolução'],
    ['1 hasta ahora nada'],
    // A word an object has by inheritance is no number word.
    ['constructor'],
    ['toString'],
  ])('reads %j as no answer', (text) => {
    expect(parseCsatText(text)).toBeUndefined();
  });

  it('reads a long run of separators as the comment, and refuses input past the bound', () => {
    expect(parseCsatText(`5${' /'.repeat(240)}`)).toEqual({ score: 5, comment: expect.any(String) });
    expect(parseCsatText(`5${' '.repeat(500)}`)).toBeUndefined();
  });
});

describe('survey choices', () => {
  it('round-trips a choice id of its own survey only', () => {
    expect(csatChoiceId('sv1', 4)).toBe('csat:sv1:4');
    expect(scoreOfChoice('csat:sv1:4', 'sv1')).toBe(4);
    expect(scoreOfChoice('csat:sv0:4', 'sv1')).toBeUndefined();
    expect(scoreOfChoice('csat:sv1:9', 'sv1')).toBeUndefined();
    expect(scoreOfChoice('csat:sv1:4:x', 'sv1')).toBeUndefined();
  });

  it.each([
    [
      'a WhatsApp reply button',
      { interactive: { type: 'button_reply', id: 'csat:sv1:3', title: '😐 OK' } },
      3,
    ],
    ['a WhatsApp list reply', { interactive: { type: 'list_reply', id: 'csat:sv1:2', title: '2' } }, 2],
    ['a Messenger quick reply', { quickReply: 'csat:sv1:5' }, 5],
    ['a template button payload', { button: { text: '1 Poor', payload: 'csat:sv1:1' } }, 1],
  ])('takes %s', (_, data, score) => {
    expect(parseCsatAnswer({ text: 'ignored 4', data }, 'sv1')).toEqual({ score });
  });

  it("reads a template button's text when its payload is no id of ours", () => {
    expect(
      parseCsatAnswer({ text: '4 Good', data: { button: { text: '4 Good', payload: '4 Good' } } }, 'sv1'),
    ).toEqual({
      score: 4,
      comment: 'Good',
    });
  });

  it("refuses another survey's button, even with a score in its text", () => {
    expect(parseCsatAnswer({ text: '5', data: { quickReply: 'csat:sv0:5' } }, 'sv1')).toBeUndefined();
  });
});
