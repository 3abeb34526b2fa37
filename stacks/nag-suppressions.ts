import type { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { type NagPackSuppression, NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ThreadlineFunction } from './constructs/threadline-function.js';
import type { StatefulStack } from './stateful-stack.js';

// Every AwsSolutions finding the stacks accept, with why, kept in this one file so it can be reviewed
// as a whole. test/stacks/nag.test.ts fails on any finding not suppressed here, and lists what is.
// The reasons land in the templates' metadata: they must not name a key of the provider secret.

/** The stateful stack's accepted findings. */
export function suppressStatefulFindings(stack: StatefulStack): void {
  suppress(stack.providerSecret, {
    id: 'AwsSolutions-SMG4',
    reason:
      'The secret holds credentials issued by Twilio, Meta and WhatsApp, and the agent tokens. Provider ' +
      "credentials are rotated in the provider's console, which no rotation function can drive; the one " +
      "generated value, Meta's webhook verify token, is pasted into Meta's console by hand. Operators " +
      'rotate by hand and update the secret.',
  });
  suppress(stack.signingSecret, {
    id: 'AwsSolutions-SMG4',
    reason:
      "The secret holds the key survey links are signed with, which links already in customers' mailboxes " +
      "must keep verifying against, and the key the business's own sites sign visitors' identity tokens " +
      'with, which the site holds too. A rotation function could change neither side on its own; operators ' +
      'rotate by hand, on both sides.',
  });
  suppress(stack.agentPool, {
    id: 'AwsSolutions-COG8',
    reason:
      "The Plus feature plan (threat protection) is charged per monthly active user. The agents' pool " +
      'has no self sign-up, requires a second factor (TOTP) and a 12-character password with every ' +
      'character class; a business that wants adaptive authentication switches the pool to Plus.',
  });
  suppress(stack.failedEventsQueue, {
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is a dead-letter queue itself: the SES function's asynchronous invocations land here as " +
      'Lambda on-failure destination records once their retries are spent (cdk-nag only recognises SQS ' +
      'redrive). Nothing consumes it automatically, so a further DLQ would never receive a message; ' +
      'records are kept 14 days for an operator to inspect.',
  });
  suppress(stack.changeFeedFailuresQueue, {
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is a dead-letter queue itself: the events function's stream batches land here as Lambda " +
      'on-failure records once their retries (10, or 24 hours) are spent. Nothing consumes it, so a further ' +
      'DLQ would never receive a message; records are kept 14 days for an operator to inspect.',
  });
  suppress(stack.inboundMailBucket, {
    id: 'AwsSolutions-S1',
    reason:
      'Raw received mail: private (public access blocked, owner-enforced, TLS only, SSE-S3), written only ' +
      'by SES of this account under inbound/, read only by the ses-mail function, and expired by lifecycle. ' +
      'Server access logs would need a second bucket that keeps every object key with its own retention; ' +
      'object-level audit is available through CloudTrail S3 data events on the account trail.',
  });
  suppress(stack.exportsBucket, {
    id: 'AwsSolutions-S1',
    reason:
      'Customer exports too large for one response: private (public access blocked, owner-enforced, TLS ' +
      'only, SSE-S3), written only by the agent API for an admin, whose export is audited, read through a ' +
      '15-minute presigned URL, and expired by lifecycle after 3 days. Object-level audit is available ' +
      'through CloudTrail S3 data events on the account trail.',
  });
}

/** The parts of the API stack that carry accepted findings. */
export interface ApiStackFindings {
  /** Every function of the stack. */
  readonly functions: readonly ThreadlineFunction[];
  /** The functions bound to the table with `bindTable`. */
  readonly tableFunctions: readonly ThreadlineFunction[];
  /** The functions that read raw mail from the bucket: ses-mail, and agent-media for an email's files. */
  readonly mailReaders: readonly ThreadlineFunction[];
  /** The functions that send email through SES (the sender, and the resolver for the AI's replies). */
  readonly mailSenders: readonly ThreadlineFunction[];
  readonly webhookRoutes: readonly HttpRoute[];
  readonly agentApiRoutes: readonly HttpRoute[];
  /** `GET` and `POST /csat/{token}`: public, the signed token is the credential. */
  readonly csatRoutes: readonly HttpRoute[];
  /** The public web-chat routes and the visitors' WebSocket API. */
  readonly webchatRoutes?: readonly HttpRoute[];
  readonly webchatLiveApi?: IConstruct;
  /** `GET /console` and its assets: public files, no data. */
  readonly consoleRoutes: readonly HttpRoute[];
}

/** The events function reads the table's stream: Lambda's event source needs dynamodb:ListStreams on `*`. */
export function suppressStreamReaderFindings(reader: ThreadlineFunction): void {
  suppress(
    reader,
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'A DynamoDB stream event source needs dynamodb:ListStreams, which has no resource-level permission ' +
        "(CDK grants it on *); the stream reads themselves are granted on this table's stream only.",
      appliesTo: ['Resource::*'],
    },
    true,
  );
}

/** The API stack's accepted findings. */
export function suppressApiFindings(parts: ApiStackFindings): void {
  for (const fn of parts.functions) {
    suppress(fn, {
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets (the bundles are built for node22 and the stack tests ' +
        'pin nodejs22.x) and a supported Lambda runtime. Moving to a newer Node.js is a deliberate upgrade ' +
        'with its own test run.',
    });
  }
  for (const fn of parts.tableFunctions) {
    suppress(
      fn,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Table.grantReadData/grantReadWriteData grant the table's data actions on <table>/index/* as well, " +
          'so Query can use its indexes (gsi1k, gsi2), and the grant names no other table.',
        appliesTo: [{ regex: '/^Resource::.+\\/index\\/\\*$/' }],
      },
      true,
    );
  }
  for (const reader of parts.mailReaders)
    suppress(
      reader,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'A receipt notification (and an email item, for its files) names the object to fetch, one per SES ' +
          "message id, so the function reads any key under inbound/ and nothing outside it. The action groups are Bucket.grantRead's read-only set " +
          '(s3:GetObject*, s3:GetBucket*, s3:List*) on this one bucket; listing lets a missing object answer ' +
          '404 rather than 403.',
        appliesTo: [
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          { regex: '/^Resource::.+\\/inbound\\/\\*$/' },
        ],
      },
      true,
    );
  suppress(
    parts.mailSenders,
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "ses:SendRawEmail only, and only with Threadline's configuration set (condition " +
        'ses:ConfigurationSetName), so every email sent reports bounces and complaints back. The From ' +
        'identity is filled in after deploy, so no identity ARN is known at synth.',
      appliesTo: ['Resource::*'],
    },
    true,
  );
  suppress(parts.webhookRoutes, {
    id: 'AwsSolutions-APIG4',
    reason:
      'Provider webhooks cannot present an IAM or JWT credential. Each request is authenticated in the ' +
      'function before anything is enqueued: Twilio by X-Twilio-Signature, Meta and WhatsApp by ' +
      'X-Hub-Signature-256 (their GET handshakes by the verify token), SES notifications by the SNS ' +
      'message signature. Unsigned or forged requests are refused (401 or 403).',
  });
  suppressWebchatFindings(parts);
  suppress(parts.agentApiRoutes, {
    id: 'AwsSolutions-APIG4',
    reason:
      'The agent API verifies the Authorization bearer token in the function before any route runs: a ' +
      "Cognito access token of the stack's agent pool and client, checked for signature, issuer, " +
      'audience, token use, expiry (401) and membership of the agents group (403), with aws-jwt-verify. ' +
      'Doing it in the function keeps one error format for every refusal and lets the 403 carry a reason. ' +
      "The /files/* links of agents' reply files are public by design (providers fetch them with no " +
      'credential): a file id of 128 random bits is the secret, as a presigned URL signature is.',
  });
  suppressPublicPageFindings(parts);
}

/** Public pages: the email survey's links and their button, and the console's sign-in page and assets. */
function suppressPublicPageFindings(parts: ApiStackFindings): void {
  suppress(parts.csatRoutes, {
    id: 'AwsSolutions-APIG4',
    reason:
      'A customer opens an email survey link and presses its button: no credential but the link itself. ' +
      'Its token is HMAC-SHA256 signed with a secret only Threadline holds, names one survey and expires; ' +
      'a bad or expired one is refused (400, 410) before anything is written, and a survey takes one answer.',
  });
  suppress(parts.consoleRoutes, {
    id: 'AwsSolutions-APIG4',
    reason:
      "The agent console's page, its config (the pool and client ids, which are not secrets) and its " +
      'hashed scripts are public files holding no data, as a sign-in page must be. Agents sign in in the ' +
      'page (Cognito SRP and TOTP), and every call for data goes to /api/* with the bearer token.',
  });
}

/** The live WebSocket API and its functions' accepted findings. */
export function suppressLiveFindings(parts: {
  functions: readonly ThreadlineFunction[];
  api: IConstruct;
}): void {
  for (const fn of parts.functions) {
    suppress(
      fn,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "execute-api:ManageConnections on the live APIs' own stages (the agents', and for the stream function " +
          "the web-chat visitors'), /@connections/* only (POST a frame; DELETE the socket of an agent whose token " +
          'expired): a socket is named by its connection id, known only at run time.',
        appliesTo: [
          { regex: '/^Resource::arn:<AWS::Partition>:execute-api:.+\\/[^/]+\\/\\*\\/@connections\\/\\*$/' },
        ],
      },
      true,
    );
  }
  suppress(
    parts.api,
    {
      id: 'AwsSolutions-APIG4',
      reason:
        "A browser's WebSocket cannot send an Authorization header: $connect reads the agent's Cognito access " +
        'token from ?token= and verifies it in the function with aws-jwt-verify (signature, issuer, the app ' +
        'client, token use, expiry, the agents group), as the agent API does; a refusal is 401 and no ' +
        'connection is made. $disconnect and $default run only on a connection $connect accepted.',
    },
    true,
  );
}

/** The web chat is public by design: visitors have no IAM or JWT credential of ours, only a session token. */
function suppressWebchatFindings(parts: ApiStackFindings): void {
  const reason =
    "Web-chat visitors are the public on a business's site and cannot present an IAM or JWT credential. " +
    'POST /webchat/sessions is open (rate-limited per address, an identity token checked as HS256 in the ' +
    'function); every other route and the WebSocket $connect require a session token (32 random bytes, ' +
    'stored hashed, expiring), checked in the function (401).';
  if (parts.webchatRoutes) suppress(parts.webchatRoutes, { id: 'AwsSolutions-APIG4', reason });
  if (parts.webchatLiveApi) suppress(parts.webchatLiveApi, { id: 'AwsSolutions-APIG4', reason }, true);
}

/** The visitors' socket function posts pongs to its own API's connections, named only at run time. */
export function suppressVisitorSocketFindings(fn: ThreadlineFunction): void {
  suppress(
    fn,
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "execute-api:ManageConnections on the web-chat visitors' own stage, POST /@connections/* only: a pong " +
        'goes to the socket that pinged, named by its connection id, known only at run time.',
      appliesTo: [
        { regex: '/^Resource::arn:<AWS::Partition>:execute-api:.+\\/[^/]+\\/\\*\\/@connections\\/\\*$/' },
      ],
    },
    true,
  );
}

/** The web-chat function closes an ended session's sockets, named only at run time. */
export function suppressSessionEndFindings(fn: ThreadlineFunction): void {
  suppress(
    fn,
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "execute-api:ManageConnections on the web-chat visitors' own stage, DELETE /@connections/* only: " +
        "DELETE /webchat/sessions closes the ended session's sockets, named by connection ids known only at run time.",
      appliesTo: [
        { regex: '/^Resource::arn:<AWS::Partition>:execute-api:.+\\/[^/]+\\/DELETE\\/@connections\\/\\*$/' },
      ],
    },
    true,
  );
}

function suppress(
  target: IConstruct | readonly IConstruct[],
  suppression: NagPackSuppression,
  applyToChildren = false,
): void {
  NagSuppressions.addResourceSuppressions([target].flat(), [suppression], applyToChildren);
}
