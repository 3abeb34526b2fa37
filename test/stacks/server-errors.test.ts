import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith, logicalId } from '../support/cdk-app.js';

// A request the API answers 5xx (a webhook that cannot enqueue: 503; a bug: 500) returns normally from
// its Lambda, whose Errors metric stays 0: these alarms are how the operator hears of it.

const app = appWith({});
const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
const apiStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
const api = Template.fromStack(apiStack);
const topicImport = (actions: unknown) => JSON.stringify(actions).includes('AlarmTopic');

/** The functions behind the HTTP API's routes: each answers requests, and logs its 5xx answers. */
const httpFunctions = [
  'WhatsApp',
  'Meta',
  'TwilioSms',
  'TwilioVoice',
  'Ses',
  'AgentApi',
  'AgentMedia',
  'Webchat',
];

describe('the HTTP API answering 5xx raises an alarm', () => {
  it('alarms on the stage’s 5xx count (AWS/ApiGateway, ApiId and Stage) to the alarm topic', () => {
    const alarms = Object.values(api.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.Namespace === 'AWS/ApiGateway',
    );
    expect(alarms).toHaveLength(1);
    const alarm = alarms[0]?.Properties;
    expect(alarm).toMatchObject({
      MetricName: '5xx',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiId', Value: { Ref: logicalId(apiStack, 'HttpApi') } },
        { Name: 'Stage', Value: '$default' },
      ]),
    );
    expect(topicImport(alarm.AlarmActions) && topicImport(alarm.OKActions)).toBe(true);
    expect(alarm.AlarmDescription).toMatch(/README/);
  });

  it.each(httpFunctions)(
    'counts %s’s `request failed` lines with a 5xx status and its `unhandled error` lines, and alarms on any',
    (id) => {
      const filters = Object.values(api.findResources('AWS::Logs::MetricFilter')).filter(
        (f) =>
          isDeepStrictEqual(f.Properties.LogGroupName, { Ref: logicalId(apiStack, `${id}Logs`) }) &&
          f.Properties.MetricTransformations[0].MetricName === `${id}ServerErrors`,
      );
      expect(filters).toHaveLength(1);
      const pattern: string = filters[0]?.Properties.FilterPattern;
      expect(pattern).toContain('$.message = "request failed" && $.status >= 500');
      expect(pattern).toContain('$.message = "unhandled error"');
      const alarms = Object.values(api.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.MetricName === `${id}ServerErrors`,
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({
        Namespace: 'Threadline',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(topicImport(alarms[0]?.Properties.AlarmActions)).toBe(true);
    },
  );

  it('counts no function that serves no HTTP route', () => {
    const counted = Object.values(api.findResources('AWS::Logs::MetricFilter'))
      .map((f) => String(f.Properties.MetricTransformations[0].MetricName))
      .filter((name) => name.endsWith('ServerErrors'))
      .sort();
    expect(counted).toEqual(httpFunctions.map((id) => `${id}ServerErrors`).sort());
  });
});

/** The metric filter counting `metric` in `id`'s log group, and the alarm on that metric. */
function logAlarm(id: string, metric: string) {
  const filters = Object.values(api.findResources('AWS::Logs::MetricFilter')).filter(
    (f) =>
      isDeepStrictEqual(f.Properties.LogGroupName, { Ref: logicalId(apiStack, `${id}Logs`) }) &&
      f.Properties.MetricTransformations[0].MetricName === metric,
  );
  const alarms = Object.values(api.findResources('AWS::CloudWatch::Alarm')).filter(
    (a) => a.Properties.MetricName === metric,
  );
  expect(filters).toHaveLength(1);
  expect(alarms).toHaveLength(1);
  expect(topicImport(alarms[0]?.Properties.AlarmActions)).toBe(true);
  return { pattern: String(filters[0]?.Properties.FilterPattern), alarm: alarms[0]?.Properties };
}

// A provider refusing our credentials (a token expired or revoked, an account paused) stopped a whole
// channel with no alarm: agents alone saw replies fail. Both functions that send replies log it.
describe('a provider refusing our credentials raises an alarm', () => {
  it.each(['Sender', 'Resolver'])(
    'counts %s’s `channel credentials refused` lines, and alarms on any',
    (id) => {
      const { pattern, alarm } = logAlarm(id, `${id}CredentialsRefused`);
      expect(pattern).toBe('{ $.message = "channel credentials refused" }');
      expect(alarm).toMatchObject({ Namespace: 'Threadline', Period: 300, Threshold: 0 });
      expect(alarm.AlarmDescription).toMatch(/Renew the secret, then redrive outbound/);
    },
  );
});

// A webhook item the schema rejects is answered 200 (no retry storm) and dropped, a body over
// MAX_BODY_BYTES 413: neither reached an alarm, so a provider's new format lost messages unseen.
describe('webhook items dropped at a rate raise an alarm', () => {
  it.each(['WhatsApp', 'Meta', 'TwilioSms', 'TwilioVoice', 'Ses'])(
    'counts %s’s `webhook item rejected` and 413 lines, and alarms on 5 or more in 5 minutes',
    (id) => {
      const { pattern, alarm } = logAlarm(id, `${id}WebhookRejections`);
      expect(pattern).toContain('$.message = "webhook item rejected"');
      expect(pattern).toContain('$.message = "request failed" && $.status = 413');
      expect(alarm).toMatchObject({ Period: 300, Threshold: 4, ComparisonOperator: 'GreaterThanThreshold' });
    },
  );
});

/**
 * The README's text at `place`: a heading's section (up to the next heading of its level or above), or
 * a bold paragraph lead's paragraphs (up to the next lead or heading).
 */
function readmePlace(readme: string, place: string): string {
  const name = place.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lead = new RegExp(`^(?:(#+) ${name}$|\\*\\*${name}\\.\\*\\*)`, 'm').exec(readme);
  if (!lead) return '';
  const rest = readme.slice(lead.index + lead[0].length);
  const level = lead[1]?.length;
  const next = level ? new RegExp(`^#{1,${level}} `, 'm') : /^(?:#+ |\*\*[^*\n]+\.\*\* )/m;
  const end = rest.search(next);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Whether `text` names the alarm on `metric`: whole (`<metric>Alarm`), as `<Function>…Alarm` for all of
 * its kind, or by its metric (`Threadline/<metric>`).
 */
function namesAlarm(text: string, metric: string): boolean {
  const name = `${metric}Alarm`;
  if (text.includes(`\`${name}\``) || text.includes(`\`Threadline/${metric}\``)) return true;
  return [...name.matchAll(/[A-Z]/g)].some((m) => text.includes(`>${name.slice(m.index)}\``));
}

// Each alarm on a log line says where its runbook is (`README, <place>`), and that place names the
// alarm: the WebhookRejections alarms sent the operator to Operations, whose text did not name them.
describe('every alarm on a log line has its runbook where its description says', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const logAlarms = Object.values(api.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => a.Properties)
    .filter((p) => p.Namespace === 'Threadline');

  it.each(logAlarms.map((p) => [String(p.MetricName), String(p.AlarmDescription)]))(
    "%s's alarm",
    (metric, description) => {
      const place = /\(README, ([^)]+)\)$/.exec(description)?.[1];
      expect(place, description).toBeDefined();
      expect(namesAlarm(readmePlace(readme, place ?? ''), metric), `README, ${place}`).toBe(true);
    },
  );
});
