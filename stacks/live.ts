import { CfnOutput, Duration } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';
import { type AgentSignIn, bindAgentSignIn } from './agent-sign-in.js';
import { ThreadlineFunction } from './constructs/threadline-function.js';
import { suppressLiveFindings, suppressStreamReaderFindings } from './nag-suppressions.js';
import { socketAccessLogs } from './socket-access-logs.js';
import { agentSocketReads, agentSocketWrites, liveStreamWrites } from './table-partitions.js';

const callbackUrlSetting = 'LIVE_CALLBACK_URL' satisfies keyof Config;

/**
 * The entities whose changes reach sockets: the stream function is invoked for nothing else (the live
 * log's own writes, timers, metrics...). A further fan-out (web chat) adds the entities it needs.
 */
export const LIVE_ENTITIES = [
  'timeline',
  'conversation',
  'customer',
  'erased_customer',
  'suggestion',
  'agent',
  // An admin's removal of an agent: their open sockets are closed.
  'agent_removal',
];

/** What live updates need from the other stacks. */
export interface LiveProps {
  readonly table: ITable;
  readonly changeFeedFailuresQueue: IQueue;
  readonly agentAuth: AgentSignIn;
}

/**
 * Agents' live updates: an API Gateway WebSocket API whose `$connect`, `$disconnect` and `$default`
 * routes go to the `live` function (the Cognito access token in `?token=` checked on `$connect`), and
 * the `live-stream` function, the table's second stream reader, which keeps events and posts them to
 * every socket through the management API. Outputs `LiveWebSocketUrl`.
 */
export function addLive(
  scope: Construct,
  props: LiveProps,
): { socket: ThreadlineFunction; stream: ThreadlineFunction; api: WebSocketApi; url: string } {
  const socket = new ThreadlineFunction(scope, 'Live', {
    name: 'live',
    timeout: Duration.seconds(10),
    description: "Threadline live: agents' WebSocket connect, disconnect and frames",
  })
    // No provider secret: agents sign in with Cognito, and the socket sends nothing to providers. Its
    // item calls stay in its sockets' partitions and those a web-chat visitor's typing frame reads.
    .bindTable(props.table, {
      delete: true,
      readPartitions: agentSocketReads,
      writePartitions: agentSocketWrites,
    });
  bindAgentSignIn(socket, props.agentAuth);
  const api = new WebSocketApi(scope, 'LiveApi', {
    apiName: 'threadline-live',
    description: "Threadline live updates: agents' sockets",
    connectRouteOptions: { integration: new WebSocketLambdaIntegration('LiveConnect', socket) },
    disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('LiveDisconnect', socket) },
    defaultRouteOptions: { integration: new WebSocketLambdaIntegration('LiveDefault', socket) },
  });
  const stage = new WebSocketStage(scope, 'LiveStage', {
    webSocketApi: api,
    stageName: 'live',
    autoDeploy: true,
    throttle: { rateLimit: 50, burstLimit: 100 },
    accessLogSettings: socketAccessLogs(scope, 'LiveAccessLogs'),
  });
  const stream = new ThreadlineFunction(scope, 'LiveStream', {
    name: 'live-stream',
    timeout: Duration.seconds(60),
    description: 'Threadline live stream: the change feed (DynamoDB Streams) to live events on every socket',
  })
    // Its writes stay in the live log's, the sockets' and the visitors' partitions; before, it could
    // write any item of the table.
    .bindTable(props.table, { delete: true, writePartitions: liveStreamWrites });
  stream.addEventSource(
    new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.LATEST,
      batchSize: 100,
      maxBatchingWindow: Duration.millis(0),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(1),
      parallelizationFactor: 1,
      onFailure: new SqsDlq(props.changeFeedFailuresQueue),
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.or('INSERT', 'MODIFY'),
          dynamodb: { NewImage: { entity: { S: FilterRule.or(...LIVE_ENTITIES) } } },
        }),
      ],
    }),
  );
  for (const fn of [socket, stream]) {
    fn.addEnvironment(callbackUrlSetting, stage.callbackUrl);
    api.grantManageConnections(fn);
  }
  suppressStreamReaderFindings(stream);
  suppressLiveFindings({ functions: [socket, stream], api });
  new CfnOutput(scope, 'LiveWebSocketUrl', { value: stage.url });
  return { socket, stream, api, url: stage.url };
}
