import { describe, expect, it } from 'vitest';
import type { ContactState } from '#shared/domain/resolver-ports.js';
import { contactStateFor } from '#shared/domain/sms-opt-out.js';
import {
  contactStateQuery,
  WHATSAPP_STATE,
  whatsappKeyword,
  whatsappOptOutRefusal,
} from '#shared/domain/whatsapp-opt-out.js';

const AT = '2026-12-07T10:00:00.000Z';

describe('whatsappKeyword', () => {
  it.each([
    ['PARAR', 'stop'],
    [' parar ', 'stop'],
    ['Sair!', 'stop'],
    ['STOP', 'stop'],
    ['descadastrar', 'stop'],
    ['BAJA', 'stop'],
    ['VOLTAR', 'start'],
    ['start', 'start'],
  ])('reads %j as %s', (text, keyword) => {
    expect(whatsappKeyword(text)).toBe(keyword);
  });

  it.each([
    ['parar de receber'],
    ['YES'],
    ['HELP'],
    ['quero cancelar o pedido'],
    // On a shop's chat these mean the order or the chat, not the messages: no carrier rule asks for them.
    ['Cancelar'],
    ['cancel'],
    ['end'],
    [''],
    [`${'x'.repeat(40)}`],
  ])('reads %j as no keyword', (text) => {
    expect(whatsappKeyword(text)).toBeUndefined();
  });
});

describe('the WhatsApp state beside the SMS states of one number', () => {
  const whatsapp: ContactState = {
    blocked: true,
    reason: 'opted out (STOP)',
    at: AT,
    envelopeId: 'w',
    number: WHATSAPP_STATE,
  };
  const smsWhole: ContactState = { blocked: true, reason: 'opted out (STOP)', at: AT, envelopeId: 's' };

  it('keeps them apart: a WhatsApp PARAR blocks no SMS, an SMS STOP no WhatsApp', () => {
    expect(contactStateFor([whatsapp], '+15550001111')).toBeUndefined();
    expect(contactStateFor([whatsapp], undefined)).toBeUndefined();
    expect(contactStateFor([smsWhole], WHATSAPP_STATE)).toBeUndefined();
    expect(contactStateFor([smsWhole, whatsapp], WHATSAPP_STATE)).toBe(whatsapp);
  });

  it('reads a WhatsApp reply’s state by the number’s key form (Brazil’s eight-digit mobiles)', () => {
    expect(contactStateQuery('whatsapp', { kind: 'phone', value: '+551187650101' }, undefined)).toEqual([
      { kind: 'phone', value: '+5511987650101' },
      WHATSAPP_STATE,
    ]);
    expect(contactStateQuery('sms', { kind: 'phone', value: '+15550001111' }, '+15550002222')).toEqual([
      { kind: 'phone', value: '+15550001111' },
      '+15550002222',
    ]);
  });

  it('refuses templates and automated messages; a person’s reply once the customer wrote again', () => {
    const rule = { blocked: whatsapp, hasTemplate: false, automated: false };
    expect(whatsappOptOutRefusal({ ...rule, lastInboundAt: '2026-12-07T09:00:00.000Z' })).toContain(
      'opted out',
    );
    expect(whatsappOptOutRefusal({ ...rule, lastInboundAt: '2026-12-07T11:00:00.000Z' })).toBeUndefined();
    expect(
      whatsappOptOutRefusal({ ...rule, hasTemplate: true, lastInboundAt: '2026-12-07T11:00:00.000Z' }),
    ).toContain('opted out');
    expect(
      whatsappOptOutRefusal({ ...rule, automated: true, lastInboundAt: '2026-12-07T11:00:00.000Z' }),
    ).toContain('opted out');
    expect(whatsappOptOutRefusal({ ...rule, blocked: undefined, hasTemplate: true })).toBeUndefined();
  });
});
