import { lazyClient, lazyCommand, lazyException, sdkOnDemand } from './lazy-sdk.js';

/**
 * What the sender's bundle imports in place of `@aws-sdk/client-ses` (see on-demand.ts): the names
 * shared/channels use, the package itself read from beside the bundle when the first email is sent, so
 * a sender that sends SMS, WhatsApp or Messenger replies never loads it.
 */
const sdk = sdkOnDemand('client-ses.cjs');

export const SESClient = lazyClient(sdk, 'SESClient');
export const SendRawEmailCommand = lazyCommand('SendRawEmailCommand');
export const SESServiceException = lazyException(sdk, 'SESServiceException');
export const AccountSendingPausedException = lazyException(sdk, 'AccountSendingPausedException');
export const ConfigurationSetDoesNotExistException = lazyException(
  sdk,
  'ConfigurationSetDoesNotExistException',
);
export const ConfigurationSetSendingPausedException = lazyException(
  sdk,
  'ConfigurationSetSendingPausedException',
);
export const MailFromDomainNotVerifiedException = lazyException(sdk, 'MailFromDomainNotVerifiedException');
export const MessageRejected = lazyException(sdk, 'MessageRejected');
