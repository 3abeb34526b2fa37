import { lazyClient, lazyCommand, lazyException, sdkOnDemand } from './lazy-sdk.js';

/**
 * What the resolver's bundle imports in place of `@aws-sdk/client-bedrock-runtime` (see on-demand.ts):
 * the names bedrock-responder.ts uses, the package itself read from beside the bundle when the first
 * Converse call is sent (only with BEDROCK_MODEL_ID set).
 */
const sdk = sdkOnDemand('client-bedrock-runtime.cjs');

export const BedrockRuntimeClient = lazyClient(sdk, 'BedrockRuntimeClient');
export const ConverseCommand = lazyCommand('ConverseCommand');
export const BedrockRuntimeServiceException = lazyException(sdk, 'BedrockRuntimeServiceException');
export const InternalServerException = lazyException(sdk, 'InternalServerException');
export const ModelNotReadyException = lazyException(sdk, 'ModelNotReadyException');
export const ModelTimeoutException = lazyException(sdk, 'ModelTimeoutException');
export const ServiceQuotaExceededException = lazyException(sdk, 'ServiceQuotaExceededException');
export const ServiceUnavailableException = lazyException(sdk, 'ServiceUnavailableException');
export const ThrottlingException = lazyException(sdk, 'ThrottlingException');
