import { CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';
import { addAgentMedia } from './agent-media.js';
import { type AgentSignIn, bindAgentSignIn } from './agent-sign-in.js';
import { alarmOnApiServerErrors, alarmOnFunction } from './alarms.js';
import { grantBedrockModel } from './bedrock-grant.js';
import { consoleBuildCommand } from './bundling/console.js';
import {
  BEDROCK_ON_DEMAND,
  PHONE_ON_DEMAND,
  SES_ON_DEMAND,
  ZOD_COMPILE_ON_DEMAND,
  ZOD_WITHOUT_LOCALES,
} from './bundling/on-demand.js';
import { type QueueUrlSetting, ThreadlineFunction } from './constructs/threadline-function.js';
import { inboundMailPrefix } from './email-receiving.js';
import { bindExports, bindUploads } from './exports.js';
import {
  createHttpApi,
  executeApiUrl,
  publicBaseUrlSetting,
  reserveConcurrencySetting,
  throttleRoutes,
} from './http-api.js';
import { addIntegratorEvents, type IntegratorEventsProps } from './integrator-events.js';
import { addLive } from './live.js';
import { alarmOnFunctionLog } from './log-alarms.js';
import { suppressApiFindings } from './nag-suppressions.js';
import { operatorSetting } from './settings.js';
import { inboundConsumer, mailConsumer, outboundConsumer, type StatefulStack } from './stateful-stack.js';
import { addTimers, type TimersProps } from './timers.js';
import { addWebchat } from './webchat.js';
import { type WebhookFunction, webhooks } from './webhook-functions.js';

/** Webhooks only enqueue; providers give up on slow answers (Meta waits a few seconds, Twilio 15). */
const webhookTimeout = Duration.seconds(10);

const snsTopicArnsSetting = 'SNS_TOPIC_ARNS' satisfies keyof Config;
const publicBaseUrlVariable = 'PUBLIC_BASE_URL' satisfies keyof Config;

export interface ApiStackProps extends StackProps, TimersProps, IntegratorEventsProps {
  readonly table: ITable;
  readonly inboundQueue: IQueue;
  /** SES notifications the SES webhook verified, consumed by ses-mail. */
  readonly mailQueue: IQueue;
  readonly outboundQueue: IQueue;
  /** The consumed queues' dead-letter queues: a consumer sends a permanent failure there at once. */
  readonly deadLetterQueues: { inbound: IQueue; mail: IQueue; outbound: IQueue };
  /** Provider credentials: read by the signed webhooks, the functions that send replies and agent-media only. */
  readonly providerSecret: ISecret;
  /** The survey links' and web-chat identity tokens' keys: read by web chat, the agent API and the timers. */
  readonly signingSecret: ISecret;
  /** The SES configuration set email replies are sent with, so bounces and deliveries come back. */
  readonly sesConfigurationSetName: string;
  /** Agents' sign-in: the agent API verifies access tokens of this pool and client, for this group. */
  readonly agentAuth: AgentSignIn;
  /** Where the agent API writes exports too large for one response. */
  readonly exportsBucket: IBucket;
  /** Where SES's receipt rule stores raw mail, under `inboundMailPrefix`. */
  readonly inboundMailBucket: IBucket;
  readonly sesReceiptsTopic: ITopic;
  readonly sesEventsTopic: ITopic;
  /** Where SNS events the SES function failed on go once Lambda's retries are spent. */
  readonly failedEventsQueue: IQueue;
  /** Where every function's error and throttle alarms go. */
  readonly alarmTopic: ITopic;
  /**
   * The public origin of the API when a custom domain is in front of it (Twilio signs and calls it).
   * @default context `publicBaseUrl`, else the API's execute-api URL
   */
  readonly publicBaseUrl?: string;
}

/** The props of the API stack that come from the stateful stack: all of them but the StackProps. */
export function statefulInputs(stateful: StatefulStack): Omit<ApiStackProps, keyof StackProps> {
  return {
    table: stateful.table,
    inboundQueue: stateful.inboundQueue,
    mailQueue: stateful.mailQueue,
    outboundQueue: stateful.outboundQueue,
    deadLetterQueues: {
      inbound: stateful.inboundDeadLetterQueue,
      mail: stateful.mailDeadLetterQueue,
      outbound: stateful.outboundDeadLetterQueue,
    },
    providerSecret: stateful.providerSecret,
    signingSecret: stateful.signingSecret,
    sesConfigurationSetName: stateful.sesConfigurationSet.configurationSetName,
    agentAuth: {
      userPoolId: stateful.agentPool.userPoolId,
      clientId: stateful.agentPoolClient.userPoolClientId,
      group: stateful.agentsGroup,
      adminGroup: stateful.adminsGroup,
    },
    inboundMailBucket: stateful.inboundMailBucket,
    exportsBucket: stateful.exportsBucket,
    sesReceiptsTopic: stateful.sesReceiptsTopic,
    sesEventsTopic: stateful.sesEventsTopic,
    failedEventsQueue: stateful.failedEventsQueue,
    alarmTopic: stateful.alarmTopic,
    timersQueue: stateful.timersQueue,
    timersDeadLetterQueue: stateful.timersDeadLetterQueue,
    webhookQueue: stateful.webhookQueue,
    changeFeedFailuresQueue: stateful.changeFeedFailuresQueue,
  };
}

/** The functions and the HTTP API in front of them; holds no data, so it can be replaced at will. */
export class ApiStack extends Stack {
  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { api, stage } = createHttpApi(this);
    const publicBaseUrl = publicBaseUrlSetting(this, props.publicBaseUrl);
    const { functions: webhookFunctions, routes: webhookRoutes } = this.webhookFunctions(api, stage, {
      ...props,
      publicBaseUrl,
    });
    this.deliverSesBySns(webhookFunctions, props);
    const sesMail = this.sesMail(props);
    const resolver = this.resolver(props, publicBaseUrl ?? executeApiUrl(api));
    const agentApi = this.agentApi(props).bindQueue(props.webhookQueue, 'WEBHOOK_QUEUE_URL');
    const { events, webhooks: webhookSender } = addIntegratorEvents(this, props);
    // Twilio replies ask for status callbacks at the public URL: the custom domain, else the API's own.
    const sender = this.sender(props, publicBaseUrl ?? executeApiUrl(api));
    const { media, agentApiRoutes, consoleRoutes, csatRoutes } = this.agentApiRoutes(
      api,
      stage,
      agentApi,
      props,
    );
    const webchat = addWebchat(this, api, props);
    throttleRoutes(stage, [
      ...webhookRoutes,
      ...agentApiRoutes,
      ...csatRoutes,
      ...webchat.routes,
      ...consoleRoutes,
    ]);
    const functions = new Map([...webhookFunctions.entries()].map(([, fn]) => [fn.node.id, fn]));
    const timers = addTimers(this, props, [resolver, agentApi, sender])
      .bindQueue(props.outboundQueue, 'OUTBOUND_QUEUE_URL')
      // Email surveys: their links are signed with the signing secret's CSAT_SIGNING_SECRET, on the public URL.
      .bindSecret(props.signingSecret, 'SIGNING_SECRET_ARN');
    timers.addEnvironment(publicBaseUrlVariable, publicBaseUrl ?? executeApiUrl(api));
    const live = addLive(this, props);
    // The table's stream has two readers (events, live): the live stream function also pushes to visitors.
    webchat.grantFanOut(live.stream);
    // The agents' socket posts their typing to the visitors of a web-chat conversation.
    webchat.grantFanOut(live.socket);
    // The console opens the agents' live socket at this URL.
    agentApi.addEnvironment('CONSOLE_LIVE_URL', live.url);
    const tableFunctions = [
      resolver,
      agentApi,
      sender,
      timers,
      events,
      webhookSender,
      live.socket,
      live.stream,
      ...webchat.functions,
    ];
    for (const fn of [sesMail, media, ...tableFunctions]) functions.set(fn.node.id, fn);
    for (const [id, fn] of functions) alarmOnFunction(this, id, fn, props.alarmTopic);
    // A request answered 5xx returns normally from its Lambda: counted on the stage and in each log.
    alarmOnApiServerErrors(this, stage, props.alarmTopic);
    for (const fn of [...webhookFunctions.values(), agentApi, media, webchat.http]) {
      alarmOnFunctionLog(this, fn.node.id, 'ServerErrors', fn, props.alarmTopic);
    }
    for (const fn of [sender, resolver])
      alarmOnFunctionLog(this, fn.node.id, 'CredentialsRefused', fn, props.alarmTopic);

    suppressApiFindings({
      functions: [...webhookFunctions.values(), sesMail, media, ...tableFunctions],
      tableFunctions,
      mailReaders: [sesMail, media],
      mailSenders: [sender, resolver],
      webhookRoutes,
      agentApiRoutes,
      csatRoutes,
      webchatRoutes: webchat.routes,
      webchatLiveApi: webchat.liveApi,
      consoleRoutes,
    });
  }

  /** One function per entry of `webhooks`, bound to its queue (and the secret), behind its routes. */
  private webhookFunctions(
    api: HttpApi,
    stage: HttpStage,
    props: ApiStackProps,
  ): { functions: Map<string, ThreadlineFunction>; routes: HttpRoute[] } {
    const webhookQueues: Record<NonNullable<WebhookFunction['enqueuesTo']>, [IQueue, QueueUrlSetting]> = {
      inbound: [props.inboundQueue, 'INBOUND_QUEUE_URL'],
      mail: [props.mailQueue, 'MAIL_QUEUE_URL'],
    };
    const functions = new Map<string, ThreadlineFunction>();
    const routes: HttpRoute[] = [];
    for (const webhook of webhooks) {
      const fn = new ThreadlineFunction(this, webhook.id, {
        name: webhook.name,
        timeout: webhookTimeout,
        description: `Threadline ${webhook.name} webhook`,
        keepNames: false,
        // zod's schema compiler, beside the bundle: a schema is compiled on its 100th parse only.
        onDemand: [ZOD_COMPILE_ON_DEMAND],
        ...(webhook.assets ? { assets: webhook.assets } : {}),
      }).bindQueue(...webhookQueues[webhook.enqueuesTo ?? 'inbound']);
      if (webhook.readsProviderSecret ?? true) {
        fn.bindSecret(props.providerSecret, 'PROVIDER_SECRET_ARN');
        alarmOnFunctionLog(this, webhook.id, 'SignatureRefusals', fn, props.alarmTopic);
      }
      alarmOnFunctionLog(this, webhook.id, 'WebhookRejections', fn, props.alarmTopic);
      if (webhook.signsPublicUrl && props.publicBaseUrl) {
        fn.addEnvironment(publicBaseUrlVariable, props.publicBaseUrl);
      }
      functions.set(webhook.name, fn);
      const integration = new HttpLambdaIntegration(`${webhook.id}Integration`, fn);
      for (const route of webhook.routes) {
        routes.push(...api.addRoutes({ path: route.path, methods: [...route.methods], integration }));
        // On the origin the functions check signatures over (Twilio signs the URL it called): a URL on the
        // execute-api host, pasted into Twilio, would have every request refused once publicBaseUrl is set.
        const url = props.publicBaseUrl
          ? `${props.publicBaseUrl}${route.path}`
          : `${stage.url}${route.path.slice(1)}`;
        if (route.output) new CfnOutput(this, route.output, { value: url });
      }
    }
    return { functions, routes };
  }

  /** On AWS, SNS invokes the SES function itself (asynchronously); the route serves SNS over HTTPS. */
  private deliverSesBySns(
    webhookFunctions: ReadonlyMap<string, ThreadlineFunction>,
    props: ApiStackProps,
  ): void {
    const ses = webhookFunctions.get('ses');
    if (!ses) throw new Error('the webhooks list has no ses entry');
    const sesTopics = [props.sesReceiptsTopic, props.sesEventsTopic];
    const topicArns = sesTopics.map((topic) => topic.topicArn);
    ses.addEnvironment(snsTopicArnsSetting, Fn.join(',', topicArns));
    for (const topic of sesTopics) topic.addSubscription(new LambdaSubscription(ses));
    ses.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(props.failedEventsQueue) });
  }

  /** The SES notifications the webhook verified: fetches the mail a receipt names, parses it, enqueues envelopes. */
  private sesMail(props: ApiStackProps): ThreadlineFunction {
    const sesMail = new ThreadlineFunction(this, 'SesMail', {
      name: 'ses-mail',
      timeout: mailConsumer.timeout,
      // Whole MIME messages (up to 40 MB) are downloaded and parsed in memory.
      memorySize: 1024,
      description: 'Threadline ses-mail: SES notifications to envelopes (fetches and parses the mail)',
    })
      .bindQueue(props.inboundQueue, 'INBOUND_QUEUE_URL')
      .bindQueue(props.deadLetterQueues.mail, 'MAIL_DEAD_LETTER_QUEUE_URL');
    // A receipt notification names the object holding the message; objects outside the prefix stay unreadable.
    props.inboundMailBucket.grantRead(sesMail, `${inboundMailPrefix}*`);
    sesMail.consume(props.mailQueue, mailConsumer, { reserveConcurrency: reserveConcurrencySetting(this) });
    return sesMail;
  }

  /**
   * Envelopes to timelines, then routing; `-c bedrockModelId=…` answers with Amazon Bedrock. The AI's
   * replies are sent by the resolver that stored them, as the sender sends the others.
   */
  private resolver(props: ApiStackProps, publicBaseUrl: string): ThreadlineFunction {
    const resolver = new ThreadlineFunction(this, 'Resolver', {
      name: 'resolver',
      timeout: inboundConsumer.timeout,
      description: 'Threadline resolver: envelopes to timelines, then routing (AI or a human queue)',
      // Read next to the bundle by the router: the routing policy and the sample knowledge base.
      assets: ['shared/domain/routing/default-policy.json', 'shared/responder/knowledge-base'],
      // zod's schema compiler too, as the webhooks': a schema is compiled on its 100th parse only. The
      // language detector and the other languages' stemmers are every function's (EVERY_FUNCTION_ON_DEMAND).
      onDemand: [BEDROCK_ON_DEMAND, SES_ON_DEMAND, ZOD_COMPILE_ON_DEMAND],
    })
      .bindTable(props.table)
      // An AI reply it could not send goes out through the same outbound queue as agents'.
      .bindQueue(props.outboundQueue, 'OUTBOUND_QUEUE_URL')
      .bindQueue(props.deadLetterQueues.inbound, 'INBOUND_DEAD_LETTER_QUEUE_URL');
    // Its inbound queue (bound there) also takes a customer's deletion again, delayed, for a later look.
    this.sendsReplies(resolver, props, publicBaseUrl);
    // BEDROCK_MODEL_ID itself is set with the other operator settings (stacks/settings.ts).
    const bedrockModelId = operatorSetting(this, 'BEDROCK_MODEL_ID');
    if (bedrockModelId) grantBedrockModel(resolver, bedrockModelId);
    resolver.consume(props.inboundQueue, inboundConsumer);
    return resolver;
  }

  /**
   * The agent API: the table, replies to the outbound queue, Cognito sign-in, the survey page's key;
   * never the provider secret (its timeline file routes are agent-media's).
   */
  private agentApi(props: ApiStackProps): ThreadlineFunction {
    const agentApi = new ThreadlineFunction(this, 'AgentApi', {
      name: 'agent-api',
      timeout: Duration.seconds(15),
      description: 'Threadline agent API',
      // Its errors name themselves, as the webhooks' do (errors.test.ts); keepNames cost it ~5 ms of cold start.
      keepNames: false,
      // The routing policy's sla and autoResolve sections, read by the conversation clock.
      assets: ['shared/domain/routing/default-policy.json'],
      // @hono/zod-openapi takes zod's `z` namespace whole: without this, every locale of zod too.
      aliases: ZOD_WITHOUT_LOCALES,
      // The phone library, loaded by the first request that parses a number.
      onDemand: [PHONE_ON_DEMAND],
      // The agent console's page and hashed assets, read from the bundle's folder on the first /console request.
      afterBundling: (outputDir) => [consoleBuildCommand(outputDir)],
    })
      .bindTable(props.table, { delete: true, audit: true })
      .bindQueue(props.outboundQueue, 'OUTBOUND_QUEUE_URL')
      // The public survey page's key (CSAT_SIGNING_SECRET); agents sign in with Cognito: no provider secret.
      .bindSecret(props.signingSecret, 'SIGNING_SECRET_ARN');
    bindAgentSignIn(agentApi, props.agentAuth);
    bindExports(agentApi, props.exportsBucket);
    bindUploads(agentApi, props.exportsBucket);
    return agentApi;
  }

  /**
   * The agent API's routes: `/api/*`, but its timeline file routes, which go to agent-media (it holds the
   * provider credentials the agent API does not); the console's page and assets; the survey's public page.
   */
  private agentApiRoutes(api: HttpApi, stage: HttpStage, agentApi: ThreadlineFunction, props: ApiStackProps) {
    const integration = new HttpLambdaIntegration('AgentApiIntegration', agentApi);
    const media = addAgentMedia(this, api, props);
    const agentApiRoutes = [
      ...api.addRoutes({ path: '/api/{proxy+}', methods: [HttpMethod.ANY], integration }),
      ...media.routes,
      // Agents' reply files: their upload (throttled on its own) and their links, public (the id is the secret).
      ...api.addRoutes({ path: '/api/uploads', methods: [HttpMethod.POST], integration }),
      ...api.addRoutes({ path: '/files/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD], integration }),
    ];
    // The agent console: its page, config and hashed assets, served by the same function.
    const consoleRoutes = ['/console', '/console/{proxy+}'].flatMap((path) =>
      api.addRoutes({ path, methods: [HttpMethod.GET], integration }),
    );
    new CfnOutput(this, 'ConsoleUrl', { value: `${stage.url}console` });
    // An email survey's links (GET) and their button (POST): public, the signed token is the credential.
    const csatRoutes = api.addRoutes({
      path: '/csat/{token}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('CsatPageIntegration', agentApi),
    });
    return { media: media.fn, agentApiRoutes, consoleRoutes, csatRoutes };
  }

  /** Replies to the providers, email only with Threadline's configuration set. */
  private sender(props: ApiStackProps, publicBaseUrl: string): ThreadlineFunction {
    const sender = new ThreadlineFunction(this, 'Sender', {
      name: 'sender',
      timeout: outboundConsumer.timeout,
      description: 'Threadline sender: replies to the providers',
      onDemand: [SES_ON_DEMAND],
      // The routing policy's sla and autoResolve sections, read by the clock when an answer is given up.
      assets: ['shared/domain/routing/default-policy.json'],
    })
      .bindTable(props.table)
      .bindQueue(props.deadLetterQueues.outbound, 'OUTBOUND_DEAD_LETTER_QUEUE_URL');
    this.sendsReplies(sender, props, publicBaseUrl);
    sender.consume(props.outboundQueue, outboundConsumer);
    return sender;
  }

  /**
   * What sending replies to the providers needs: the provider secret, the inbound queue (web chat's
   * `delivered`), the attempts before a reply is `failed`, Twilio's status callback URL, and SES with
   * Threadline's configuration set only.
   */
  private sendsReplies(fn: ThreadlineFunction, props: ApiStackProps, publicBaseUrl: string): void {
    fn.bindSecret(props.providerSecret, 'PROVIDER_SECRET_ARN');
    // A web-chat reply is "sent" by reporting it delivered through the inbound queue.
    fn.bindQueue(props.inboundQueue, 'INBOUND_QUEUE_URL');
    fn.addEnvironment('OUTBOUND_MAX_ATTEMPTS', String(outboundConsumer.maxReceiveCount));
    fn.addEnvironment('SES_CONFIGURATION_SET', props.sesConfigurationSetName);
    fn.addEnvironment(publicBaseUrlVariable, publicBaseUrl);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: ['*'],
        // Only with Threadline's configuration set, so every email sent reports its bounces back.
        conditions: { StringEquals: { 'ses:ConfigurationSetName': props.sesConfigurationSetName } },
      }),
    );
  }
}
