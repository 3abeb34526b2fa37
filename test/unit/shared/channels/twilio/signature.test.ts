import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  authenticateTwilioRequest,
  twilioCallbackUrl,
  twilioSignedUrl,
  verifyTwilioSignature,
} from '#shared/channels/twilio/signature.js';
import { ForbiddenError, ValidationError } from '#shared/errors.js';

// providers.md §1.1: Twilio's documented vector, then twilio-node's spec vectors.
const TOKEN = '12345';
const DOC_URL = 'https://example.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675310',
  Digits: '1234',
  From: '+14158675310',
  To: '+18005551212',
};
const SPEC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const SPEC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const JSON_BODY = '{"property": "value", "boolean": true}';
const JSON_URL = `${SPEC_URL}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`;

const encoder = new TextEncoder();

describe('verifyTwilioSignature: the §1.1 vectors', () => {
  it('builds the documented string to sign', () => {
    const data = Object.keys(DOC_PARAMS)
      .sort()
      .reduce((acc, key) => acc + key + DOC_PARAMS[key as keyof typeof DOC_PARAMS], DOC_URL);
    expect(data).toBe(
      'https://example.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212',
    );
    expect(twilio.getExpectedTwilioSignature(TOKEN, DOC_URL, DOC_PARAMS)).toBe(
      'L/OH5YylLD5NRKLltdqwSvS0BnU=',
    );
  });

  it.each([
    ['the documented vector', DOC_URL, DOC_PARAMS, 'L/OH5YylLD5NRKLltdqwSvS0BnU='],
    ['the twilio-node vector', SPEC_URL, SPEC_PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8='],
    ['a signature over the URL with :443', SPEC_URL, SPEC_PARAMS, 'kvajT1Ptam85bY51eRf/AJRuM3w='],
    [
      'http with port 1234',
      'http://mycompany.com:1234/myapp.php?foo=1&bar=2',
      SPEC_PARAMS,
      'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
    ],
    [
      "a query value with ' as received",
      `${SPEC_URL}&Body=It's+amazing`,
      SPEC_PARAMS,
      'dsq4Ehbj6cs+KdTkpF5sSSplOWw=',
    ],
    [
      "a query value with ' that the URL parser behind Request encoded as %27",
      `${SPEC_URL}&Body=It%27s+amazing`,
      SPEC_PARAMS,
      'dsq4Ehbj6cs+KdTkpF5sSSplOWw=',
    ],
    [
      'an array parameter in one order',
      SPEC_URL,
      { 'MessagingBinding.Address': ['+1325xxxxxxx', '+1415xxxxxxx'] },
      '83O6e2vORAoJHUNzJjDWN1jz+BA=',
    ],
    [
      'an array parameter in the other order',
      SPEC_URL,
      { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] },
      '83O6e2vORAoJHUNzJjDWN1jz+BA=',
    ],
  ])('accepts %s', (_name, url, params, header) => {
    expect(verifyTwilioSignature({ authToken: TOKEN, url, params, header })).toBe(true);
  });

  it.each([
    ['a body string', JSON_BODY],
    ['body bytes', encoder.encode(JSON_BODY)],
  ])('accepts the JSON bodySHA256 vector as %s', (_name, rawBody) => {
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        url: JSON_URL,
        rawBody,
        header: 'a9nBmqA0ju/hNViExpshrM61xv4=',
      }),
    ).toBe(true);
  });

  it('accepts the signature of an HTTPS voice URL Twilio signed without the custom port (§4.3)', () => {
    const path = '/webhooks/twilio/voice';
    const header = twilio.getExpectedTwilioSignature(TOKEN, `https://voice.example.com${path}`, SPEC_PARAMS);
    const url = `https://voice.example.com:8443${path}`;
    expect(verifyTwilioSignature({ authToken: TOKEN, url, params: SPEC_PARAMS, header })).toBe(true);
  });
});

describe('verifyTwilioSignature: refusals', () => {
  const valid = {
    authToken: TOKEN,
    url: SPEC_URL,
    params: SPEC_PARAMS,
    header: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
  };

  it.each([
    ['a signature made with another token', { authToken: '54321' }],
    ['an added query parameter', { url: `${SPEC_URL}&baz=3` }],
    ['another host', { url: 'https://evil.example.com/myapp.php?foo=1&bar=2' }],
    ['a changed parameter', { params: { ...SPEC_PARAMS, Digits: '1235' } }],
    ['an added parameter', { params: { ...SPEC_PARAMS, Body: 'hi' } }],
    ['a trimmed parameter', { params: { ...SPEC_PARAMS, Body: ' hi ' } }],
    ['no header', { header: undefined }],
    ['an empty header', { header: '' }],
    ['a truncated header', { header: 'RSOYDt4T1cUTdK1PDd93' }],
    ['no auth token', { authToken: '' }],
    ['a URL that is not one', { url: 'not a url' }],
  ])('refuses %s, without throwing', (_name, change) => {
    expect(verifyTwilioSignature({ ...valid, ...change })).toBe(false);
  });

  it.each([
    ['the body of the JSON vector with one byte changed', JSON_BODY.replace('value', 'valuf')],
    ['body bytes that are not UTF-8, without throwing', new Uint8Array([0x7b, 0xff, 0x7d])],
  ])('refuses %s', (_name, rawBody) => {
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        url: JSON_URL,
        rawBody,
        header: 'a9nBmqA0ju/hNViExpshrM61xv4=',
      }),
    ).toBe(false);
  });

  it('refuses a JSON body signed without bodySHA256 in the URL', () => {
    const header = twilio.getExpectedTwilioSignature(TOKEN, SPEC_URL, {});
    expect(verifyTwilioSignature({ authToken: TOKEN, url: SPEC_URL, rawBody: JSON_BODY, header })).toBe(
      false,
    );
  });
});

describe('twilioSignedUrl', () => {
  it.each([
    [
      'the request URL when no public base is set',
      'http://127.0.0.1:3000/webhooks/twilio/sms?x=1',
      undefined,
      'http://127.0.0.1:3000/webhooks/twilio/sms?x=1',
    ],
    [
      'the public base with the path and query',
      'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/twilio/sms?x=1',
      'https://hooks.example.com',
      'https://hooks.example.com/webhooks/twilio/sms?x=1',
    ],
    [
      'one slash between a base that ends in one and the path',
      'https://internal/webhooks/twilio/sms',
      'https://hooks.example.com/',
      'https://hooks.example.com/webhooks/twilio/sms',
    ],
    [
      'the base path of a proxy',
      'https://internal/webhooks/twilio/sms',
      'https://example.com/threadline',
      'https://example.com/threadline/webhooks/twilio/sms',
    ],
    [
      'the base port',
      'https://internal/webhooks/twilio/voice',
      'https://example.com:8443',
      'https://example.com:8443/webhooks/twilio/voice',
    ],
    [
      'no fragment (connection overrides)',
      'https://internal/webhooks/twilio/sms#ct=1000&rc=2',
      'https://hooks.example.com#rc=5',
      'https://hooks.example.com/webhooks/twilio/sms',
    ],
  ])('is %s', (_name, requestUrl, base, expected) => {
    expect(twilioSignedUrl(requestUrl, base)).toBe(expected);
  });

  it('puts callbacks on the public base, else on the request origin', () => {
    const path = '/webhooks/twilio/voice/recording';
    expect(
      twilioCallbackUrl(path, 'https://internal:9000/webhooks/twilio/voice', 'https://hooks.example.com/'),
    ).toBe('https://hooks.example.com/webhooks/twilio/voice/recording');
    expect(twilioCallbackUrl(path, 'http://127.0.0.1:3000/webhooks/twilio/voice?a=1')).toBe(
      'http://127.0.0.1:3000/webhooks/twilio/voice/recording',
    );
  });
});

describe('authenticateTwilioRequest', () => {
  const url = 'https://hooks.example.com/webhooks/twilio/sms';
  const form = 'Body=It%27s+amazing+%26+%2B1&From=%2B14158675310&To=%2B15017122661&MessageSid=SM1';
  const decoded = { Body: "It's amazing & +1", From: '+14158675310', To: '+15017122661', MessageSid: 'SM1' };
  const request = (overrides: Partial<Parameters<typeof authenticateTwilioRequest>[0]> = {}) => ({
    authToken: TOKEN,
    url,
    header: twilio.getExpectedTwilioSignature(TOKEN, url, decoded),
    contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
    body: encoder.encode(form),
    ...overrides,
  });

  it('decodes + as a space and %XX as UTF-8 before checking, and returns the parameters', () => {
    expect(authenticateTwilioRequest(request())).toEqual(decoded);
  });

  it('refuses a signature over the undecoded values', () => {
    const undecoded = { ...decoded, Body: 'It%27s+amazing+%26+%2B1' };
    const header = twilio.getExpectedTwilioSignature(TOKEN, url, undecoded);
    expect(() => authenticateTwilioRequest(request({ header }))).toThrow(ForbiddenError);
  });

  it('signs a repeated name with every value, as twilio-node does', () => {
    const body = encoder.encode('MediaUrl=b&MediaUrl=a&To=%2B1');
    const header = twilio.getExpectedTwilioSignature(TOKEN, url, { MediaUrl: ['a', 'b'], To: '+1' });
    expect(authenticateTwilioRequest(request({ body, header }))).toEqual({ MediaUrl: 'b', To: '+1' });
  });

  it.each([
    ['a missing header', { header: undefined }],
    ['a forged header', { header: twilio.getExpectedTwilioSignature('another-token', url, decoded) }],
    ['a body that is not UTF-8', { body: new Uint8Array([0x42, 0x3d, 0xff]) }],
  ])('answers ForbiddenError (403) for %s', (_name, change) => {
    expect(() => authenticateTwilioRequest(request(change))).toThrow(ForbiddenError);
  });

  it('checks the signature before the content type: a forged JSON body is forbidden', () => {
    expect(() =>
      authenticateTwilioRequest(
        request({ contentType: 'application/json', body: encoder.encode(JSON_BODY), header: 'forged' }),
      ),
    ).toThrow(ForbiddenError);
  });

  it('answers ValidationError (400) for a genuinely signed body that is not a form', () => {
    expect(() =>
      authenticateTwilioRequest({
        authToken: TOKEN,
        url: JSON_URL,
        header: 'a9nBmqA0ju/hNViExpshrM61xv4=',
        contentType: 'application/json',
        body: encoder.encode(JSON_BODY),
      }),
    ).toThrow(ValidationError);
  });
});
