import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnRole, ManagedPolicy, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';
import { aliasArgs, type OnDemandModule, onDemandOf, onDemandShipCommand } from '../bundling/on-demand.js';
import { versionDefine } from '../bundling/version.js';
import { type BundledAsset, operatorFileAssets } from '../operator-files.js';
import { operatorEnvironment, operatorSettings } from '../settings.js';
import { auditItemsUnchangeable } from '../table-partitions.js';

/**
 * How a function consumes an SQS queue: its timeout and its event source's batching. The queue's
 * visibility timeout is derived from it (StatefulStack), so both sides read one description.
 */
export interface QueueConsumer {
  readonly timeout: Duration;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  /**
   * Invocations at once (2 to 1000): the event source's maximum concurrency and the function's reserved
   * concurrency, so the queue's consumer neither takes more of the account nor is starved by others.
   * @default the account's unreserved concurrency, shared
   */
  readonly maxConcurrency?: number;
}

/** What a function may do to the table beyond reading it and putting and updating items (bindTable). */
export interface TableAccess {
  /** DeleteItem: erasure, merges, webhook subscriptions, sockets gone. */
  readonly delete?: boolean;
  /** Partition-key prefixes the function's writes are confined to (a public function's own items). */
  readonly writePartitions?: readonly string[];
  /**
   * Partition-key prefixes the function's reads are confined to: GetItem and Query on the table only
   * (no BatchGetItem, no index), for a function whose few look-ups are known (a socket function).
   */
  readonly readPartitions?: readonly string[];
  /** PutItem on the audit log's items (`AUDIT#`): the agent API, whose calls are audited. */
  readonly audit?: boolean;
}

/** The item reads a read-only function may be granted (bindTableReads): never a write, never an index. */
export type TableRead = 'GetItem' | 'BatchGetItem' | 'Query';

/** A statement's condition confining its item calls to partition keys starting with one of `prefixes`. */
function leadingKeys(prefixes: readonly string[] | undefined) {
  if (!prefixes) return {};
  return {
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) } },
  };
}

/** A setting of the config schema that names a secret (the provider secret, the signing secret). */
export type SecretArnSetting = Extract<keyof Config, `${string}_SECRET_ARN`>;

/** A setting of the config schema that holds a queue URL, so a binding cannot invent a variable name. */
export type QueueUrlSetting = Extract<keyof Config, `${string}_QUEUE_URL`>;

export interface ThreadlineFunctionProps {
  /** The folder under `functions/`; the entry point is `functions/<name>/handler.ts`, export `handler`. */
  readonly name: string;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly description?: string;
  /**
   * Files and folders (paths from the project root) copied next to the bundle, for code that reads
   * them relative to its own module at run time (the routing policy, the knowledge base).
   */
  readonly assets?: readonly (string | BundledAsset)[];
  /**
   * Keep function and class names through minifying, for dependencies that read them at run time.
   * It costs a cold start some 2 ms and a webhook bundle 9 KB; the webhooks, whose code and
   * dependencies name their errors in strings (errors.test.ts), turn it off.
   * @default true
   */
  readonly keepNames?: boolean;
  /**
   * Dependencies loaded on first use from a file beside the bundle instead of at cold start, beyond
   * those every function loads so (EVERY_FUNCTION_ON_DEMAND); each file is shipped if the bundle reaches it.
   */
  readonly onDemand?: readonly OnDemandModule[];
  /** Import specifiers bundled as other modules (esbuild aliases: specifier → absolute path). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** More shell commands run after bundling, given the bundle's folder (the agent console's build). */
  readonly afterBundling?: (outputDir: string) => readonly string[];
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

const tableNameSetting = 'TABLE_NAME' satisfies keyof Config;

/** Lambda's limit on a function's environment variables, measured as their JSON: 4 KB. */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;

/**
 * What a value CloudFormation fills in at deploy (a queue URL, an ARN, the table's name) is counted
 * as: more than any of this stack's takes (a queue URL in the longest region name is some 110 bytes).
 */
export const DEPLOY_TIME_VALUE_BYTES = 128;

/** One value's bytes inside the JSON Lambda measures: text exactly, a join by its parts, any other reference as DEPLOY_TIME_VALUE_BYTES. */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(JSON.stringify(value)) - 2;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].reduce<number>((sum, part) => sum + valueBytes(part), 0);
    return parts + Buffer.byteLength(join[0]) * Math.max(0, join[1].length - 1);
  }
  return DEPLOY_TIME_VALUE_BYTES;
}

/**
 * The size of a function's environment as Lambda measures it (the variables as one JSON object), each
 * deploy-time value counted as DEPLOY_TIME_VALUE_BYTES; and each variable's value, largest first.
 */
export function environmentSize(variables: Readonly<Record<string, unknown>>): {
  bytes: number;
  values: [string, number][];
} {
  const names = Object.keys(variables);
  const values = names.map((name): [string, number] => [name, valueBytes(variables[name])]);
  const frame = Buffer.byteLength(JSON.stringify(Object.fromEntries(names.map((n) => [n, '']))));
  return {
    bytes: frame + values.reduce((sum, [, bytes]) => sum + bytes, 0),
    values: values.sort((a, b) => b[1] - a[1]),
  };
}

/**
 * Refuses at synth a function whose environment Lambda would refuse at deploy (over 4 KB), naming the
 * function, the size, and its largest variables with the context key that sets each: the deploy's
 * own error names neither, and comes after the stateful stack has already changed.
 */
function environmentProblems(fn: ThreadlineFunction): string[] {
  const cfn = fn.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) return [];
  const resolved = Stack.of(fn).resolve(cfn.environment) as
    | { variables?: Record<string, unknown> }
    | undefined;
  const { bytes, values } = environmentSize(resolved?.variables ?? {});
  if (bytes <= LAMBDA_ENVIRONMENT_BYTES) return [];
  const largest = values
    .slice(0, 3)
    .map(([name, size]) => {
      const context = (operatorSettings as Record<string, { context: string } | undefined>)[name]?.context;
      return `${name} ${size} bytes${context ? ` (context ${context})` : ''}`;
    })
    .join(', ');
  return [
    `${fn.source}: its environment takes ${bytes} bytes, over Lambda's 4 KB (${LAMBDA_ENVIRONMENT_BYTES} bytes; ` +
      `each value CloudFormation fills in counted as ${DEPLOY_TIME_VALUE_BYTES}); the largest: ${largest}. Shorten them`,
  ];
}

/**
 * The house Lambda function: Node 22 on arm64, one ESM bundle built by the local esbuild, source maps,
 * a log group kept for a month that only this function may write. Resources are bound with `bind*`,
 * which set the variable the config schema reads and grant the matching permissions in one call, so
 * the two cannot drift apart.
 */
export class ThreadlineFunction extends NodejsFunction {
  /** The folder under `functions/` it runs: what the settings a function reads are keyed on (stacks/settings.ts). */
  readonly source: string;

  constructor(scope: Construct, id: string, props: ThreadlineFunctionProps) {
    requireLocalEsbuild();
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      // Functions hold no state: tearing their stack down may take their logs with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The operator's settings, routing policy and articles (context), on the functions that read them.
    const operator = operatorFileAssets(scope, props.name);
    const environment = { ...operatorEnvironment(scope, props.name), ...operator.environment };
    const assets = [...(props.assets ?? []), ...operator.assets];
    const onDemand = onDemandOf(props.onDemand);
    super(scope, id, {
      entry: `${projectRoot}functions/${props.name}/handler.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      // X-Ray stays off: without the Powertools tracer wrapping the SDK clients an active trace shows
      // little beyond the invocation itself, and it is a per-trace cost in every customer's account.
      // Structured logs carry the ids that tie a message's path together.
      tracing: Tracing.DISABLED,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        // Minifying would otherwise rename classes whose names some dependencies read (and log).
        keepNames: props.keepNames ?? true,
        sourceMap: true,
        sourcesContent: false,
        // Some CommonJS dependencies call `require` for Node built-ins, which an ESM bundle lacks.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Threadline's version as a literal (the agent API's OpenAPI document gives it), not package.json.
        define: versionDefine(),
        // The AWS SDK v3 clients are bundled, not taken from the runtime: the versions pinned in
        // package-lock.json are the ones the tests ran against, and the runtime's copy changes under a
        // deployed function without notice. Tree-shaken, each bundle stays near 1 MB minified.
        externalModules: [],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        esbuildArgs: { '--alias': aliasArgs(props.aliases ?? {}, onDemand) },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...assets.map((asset) => copyAsset(asset, inputDir, outputDir)),
            ...onDemand.map((m) => onDemandShipCommand(m, `${outputDir}/index.mjs`)),
            ...(props.afterBundling?.(outputDir) ?? []),
          ],
        },
      },
    });
    this.source = props.name;
    this.restrictLogsTo(logGroup);
    this.node.addValidation({ validate: () => environmentProblems(this) });
  }

  /**
   * Sets TABLE_NAME and grants the item calls the code makes (the DocumentStore's: get, batch get, query,
   * put, update, and delete only when `access.delete`), Query alone on the indexes. Never Scan or
   * BatchWriteItem, which no function calls. `access.writePartitions` confines put, update and delete to
   * partition keys starting with one of those prefixes (dynamodb:LeadingKeys); `access.readPartitions`
   * likewise confines the reads, to GetItem and Query on the table. Audit items (`AUDIT#`) are never
   * updated or deleted, and put only with `access.audit` (auditItemsUnchangeable).
   */
  bindTable(table: ITable, access: TableAccess = {}): this {
    this.addEnvironment(tableNameSetting, table.tableName);
    if (access.readPartitions) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:Query'],
          resources: [table.tableArn],
          ...leadingKeys(access.readPartitions),
        }),
      );
    } else {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
          resources: [table.tableArn],
        }),
      );
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/*`] }),
      );
    }
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      ...(access.delete ? ['dynamodb:DeleteItem'] : []),
    ];
    this.addToRolePolicy(
      new PolicyStatement({
        actions: writes,
        resources: [table.tableArn],
        ...leadingKeys(access.writePartitions),
      }),
    );
    this.addToRolePolicy(auditItemsUnchangeable(table, access.audit === true));
    return this;
  }

  /**
   * Sets TABLE_NAME and grants only the item reads named, on the table itself (no index, no write): for
   * a function whose reads are known and few (the agent API's file routes).
   */
  bindTableReads(table: ITable, reads: readonly TableRead[]): this {
    this.addEnvironment(tableNameSetting, table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({ actions: reads.map((read) => `dynamodb:${read}`), resources: [table.tableArn] }),
    );
    return this;
  }

  /** Sets `envName` to the queue's URL and grants sqs:SendMessage on it. */
  bindQueue(queue: IQueue, envName: QueueUrlSetting): this {
    this.addEnvironment(envName, queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /**
   * Has Lambda invoke the function with batches from the queue, as `consumer` describes, and grants
   * consuming it. The function reports failed records one by one, so only those are received again.
   * `reserveConcurrency: false` keeps the event source's cap but reserves nothing.
   */
  consume(queue: IQueue, consumer: QueueConsumer, options: { reserveConcurrency?: boolean } = {}): this {
    this.addEventSource(
      new SqsEventSource(queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: consumer.maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: consumer.maxConcurrency,
      }),
    );
    if (consumer.maxConcurrency !== undefined && (options.reserveConcurrency ?? true)) {
      // Reserved as many as the event source may use: fewer would throttle its own batches.
      const fn = this.node.defaultChild;
      if (!(fn instanceof CfnFunction)) throw new Error(`${this.node.path}: expected the function resource`);
      fn.reservedConcurrentExecutions = consumer.maxConcurrency;
    }
    return this;
  }

  /**
   * Sets `envName` (PROVIDER_SECRET_ARN or SIGNING_SECRET_ARN) to the secret's ARN and grants reading
   * it; its values never enter the template.
   */
  bindSecret(secret: ISecret, envName: SecretArnSetting): this {
    this.addEnvironment(envName, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /**
   * Replaces the AWSLambdaBasicExecutionRole managed policy (create any log group, write to every one in
   * the account) by an inline policy on the role that writes this function's own group only. The group
   * exists before the function, so nothing needs logs:CreateLogGroup. Set on the role's L1 resource
   * because the L2 role has no way to take a managed policy off; a managed policy added to the role
   * later would be dropped there, so synth fails instead.
   */
  private restrictLogsTo(logGroup: LogGroup): void {
    const role = this.role?.node.defaultChild;
    if (!(role instanceof CfnRole)) throw new Error(`${this.node.path}: expected the function's own role`);
    const managedByL2 = role.managedPolicyArns;
    const basicExecution = ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');
    this.node.addValidation({
      validate: () => {
        const stack = Stack.of(this);
        const expected = [stack.resolve(basicExecution.managedPolicyArn)];
        return isDeepStrictEqual(stack.resolve(managedByL2), expected)
          ? []
          : ['the house function role takes no managed policy: grant with an inline statement instead'];
      },
    });
    role.managedPolicyArns = undefined;
    role.policies = [
      {
        policyName: 'WriteOwnLogs',
        policyDocument: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    ];
  }
}

/** The shell command that copies an asset beside the bundle: under its own name, or the one it is given. */
export function copyAsset(asset: string | BundledAsset, inputDir: string, outputDir: string): string {
  return typeof asset === 'string'
    ? `cp -R "${inputDir}/${asset}" "${outputDir}/"`
    : `cp -R "${inputDir}/${asset.from}" "${outputDir}/${asset.to}"`;
}

/**
 * NodejsFunction falls back to bundling in Docker when it cannot find esbuild. Synth must work offline
 * and without Docker, so a missing esbuild is an error that says what to do instead.
 */
function requireLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch (error) {
    throw new Error(
      'esbuild is not installed: run `npm ci` (functions are bundled locally, never in Docker)',
      {
        cause: error,
      },
    );
  }
}
