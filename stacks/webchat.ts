import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  type HttpRoute,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { writeWidgetFile } from '../shared/channels/webchat/widget-build.js';
import type { Config } from '../shared/config/config.js';
import { ThreadlineFunction } from './constructs/threadline-function.js';
import { suppressSessionEndFindings, suppressVisitorSocketFindings } from './nag-suppressions.js';
import { operatorSetting } from './settings.js';
import { socketAccessLogs } from './socket-access-logs.js';
import { visitorSocketWrites } from './table-partitions.js';

/** Where the synth writes the built widget, copied next to the webchat bundle. */
const WIDGET_FILE = '.build/webchat/webchat-widget.json';

const settings = {
  liveUrl: 'WEBCHAT_LIVE_URL',
  liveEndpoint: 'WEBCHAT_LIVE_ENDPOINT',
} as const satisfies Record<string, keyof Config>;

/** What the web chat needs from the stateful stack. */
export interface WebchatProps {
  readonly table: ITable;
  readonly inboundQueue: IQueue;
  /** The signing keys (WEBCHAT_IDENTITY_SECRET): never the provider secret, which a public function must not read. */
  readonly signingSecret: ISecret;
}

/** Synth warns when no site may embed the widget: the browser blocks it everywhere but the API's own pages. */
function warnNoAllowedOrigins(scope: Stack): void {
  if (operatorSetting(scope, 'WEBCHAT_ALLOWED_ORIGINS') !== undefined) return;
  Annotations.of(scope).addWarningV2(
    'threadline:noWebchatAllowedOrigins',
    'No webchatAllowedOrigins: no site may embed the web-chat widget (browsers block its calls from any page but the API\'s own). Set "webchatAllowedOrigins": "https://shop.example" in cdk.json\'s context.',
  );
}

/**
 * The web chat on AWS: the `webchat` function behind `/webchat/{proxy+}` of the HTTP API (routes and
 * widget), and the visitors' own WebSocket API (public, throttled, separate from the agents') whose
 * `$connect`/`$disconnect`/`$default` go to `webchat-live`. `grantFanOut` gives a change-feed consumer what the
 * visitors' fan-out needs: the table's stream has no reader to spare, so the agents' live stream
 * function calls it.
 */
export function addWebchat(scope: Stack, api: HttpApi, props: WebchatProps) {
  const root = fileURLToPath(new URL('../', import.meta.url));
  mkdirSync(`${root}.build/webchat`, { recursive: true });
  writeWidgetFile(`${root}${WIDGET_FILE}`);
  const webchat = new ThreadlineFunction(scope, 'Webchat', {
    name: 'webchat',
    timeout: Duration.seconds(10),
    description: 'Threadline web chat: visitor sessions, messages, history, read receipts and the widget',
    assets: ['shared/domain/routing/default-policy.json', WIDGET_FILE],
  })
    .bindTable(props.table)
    .bindQueue(props.inboundQueue, 'INBOUND_QUEUE_URL')
    .bindSecret(props.signingSecret, 'SIGNING_SECRET_ARN');
  // WEBCHAT_ALLOWED_ORIGINS (context webchatAllowedOrigins) is set with the operator settings (stacks/settings.ts).
  warnNoAllowedOrigins(scope);
  const routes = api.addRoutes({
    path: '/webchat/{proxy+}',
    methods: [HttpMethod.ANY],
    integration: new HttpLambdaIntegration('WebchatIntegration', webchat),
  });
  const live = new ThreadlineFunction(scope, 'WebchatLive', {
    name: 'webchat-live',
    timeout: Duration.seconds(10),
    description: "Threadline web chat: the visitors' WebSocket $connect, $disconnect and frames (ping, read)",
    // Public and unauthenticated until $connect checks the session: it writes its own connection items,
    // the session it renews on use and, for a read receipt, the session's rate counter (visitorSocketWrites);
    // it sends the receipt to the inbound queue.
  })
    .bindTable(props.table, { delete: true, writePartitions: visitorSocketWrites })
    .bindQueue(props.inboundQueue, 'INBOUND_QUEUE_URL');
  const integration = new WebSocketLambdaIntegration('WebchatLiveIntegration', live);
  const liveApi = new WebSocketApi(scope, 'WebchatLiveApi', {
    apiName: `${scope.stackName}-webchat-live`,
    description: "Threadline: web-chat visitors' live replies (public, session token on $connect)",
    connectRouteOptions: { integration },
    disconnectRouteOptions: { integration },
    // The visitor's frames (`ping`, `read`), as the agents' socket takes theirs: one route, the Lambda parses.
    defaultRouteOptions: { integration },
  });
  const stage = new WebSocketStage(scope, 'WebchatLiveStage', {
    webSocketApi: liveApi,
    stageName: 'live',
    autoDeploy: true,
    throttle: { rateLimit: 50, burstLimit: 100 },
    accessLogSettings: socketAccessLogs(scope, 'WebchatLiveAccessLogs'),
  });
  webchat.addEnvironment(settings.liveUrl, stage.url);
  // Pongs go back through the management API, to this API's connections only.
  live.addEnvironment(settings.liveEndpoint, stage.callbackUrl);
  stage.grantManagementApiAccess(live);
  suppressVisitorSocketFindings(live);
  // `DELETE /webchat/sessions` closes the ended session's sockets at once: DELETE on this API's
  // connections only (never a frame, never the agents' API).
  webchat.addEnvironment(settings.liveEndpoint, stage.callbackUrl);
  const apiArn = Stack.of(liveApi).formatArn({ service: 'execute-api', resource: liveApi.apiId });
  webchat.addToRolePolicy(
    new PolicyStatement({
      actions: ['execute-api:ManageConnections'],
      resources: [`${apiArn}/${stage.stageName}/DELETE/@connections/*`],
    }),
  );
  suppressSessionEndFindings(webchat);
  new CfnOutput(scope, 'WebchatWidgetUrl', { value: `${api.apiEndpoint}/webchat/widget.js` });
  new CfnOutput(scope, 'WebchatLiveUrl', { value: stage.url });
  return {
    functions: [webchat, live],
    /** The function behind the HTTP API's `/webchat/{proxy+}`. */
    http: webchat,
    routes: routes as HttpRoute[],
    liveApi,
    /** Lets a change-feed consumer post to visitors: the endpoint setting and `execute-api:ManageConnections`. */
    grantFanOut(fn: ThreadlineFunction): void {
      fn.addEnvironment(settings.liveEndpoint, stage.callbackUrl);
      stage.grantManagementApiAccess(fn);
    },
  };
}
