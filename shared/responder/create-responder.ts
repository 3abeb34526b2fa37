import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import type { Responder } from '../domain/responder.js';
import { createBedrockResponder } from './bedrock-responder.js';
import { lazyPassageIndex, readKnowledgeBase } from './knowledge-base.js';
import { KnowledgeBaseError, SAMPLE_KNOWLEDGE_BASE } from './knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from './knowledge-base-responder.js';

/**
 * The responder the configuration asks for: Amazon Bedrock when BEDROCK_MODEL_ID is set (its prompt
 * holds the passages of KNOWLEDGE_BASE_DIR that answer the message; a call gets BEDROCK_TIMEOUT_MS), else the knowledge-base
 * responder over KNOWLEDGE_BASE_DIR (the shipped sample articles by default).
 */
export function createResponder(
  config: Pick<Config, 'BEDROCK_MODEL_ID' | 'BEDROCK_TIMEOUT_MS' | 'KNOWLEDGE_BASE_DIR'>,
  knowledgeBaseDir?: string,
): Responder {
  const folder = config.KNOWLEDGE_BASE_DIR ?? knowledgeBaseDir ?? SAMPLE_KNOWLEDGE_BASE;
  try {
    return config.BEDROCK_MODEL_ID
      ? createBedrockResponder({
          client: new BedrockRuntimeClient({}),
          modelId: config.BEDROCK_MODEL_ID,
          timeoutMs: config.BEDROCK_TIMEOUT_MS,
          knowledge: lazyPassageIndex(readKnowledgeBase(folder)),
        })
      : createKnowledgeBaseResponder({ folder });
  } catch (error) {
    // The articles of the operator's folder stop the start naming the setting too, as every file setting does.
    if (!(error instanceof KnowledgeBaseError) || config.KNOWLEDGE_BASE_DIR === undefined) throw error;
    throw new ConfigError(`KNOWLEDGE_BASE_DIR: ${error.message}`, { cause: error });
  }
}
