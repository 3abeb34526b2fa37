import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import type { Responder } from '../domain/responder.js';
import { createBedrockResponder } from './bedrock-responder.js';
import { type KnowledgeBase, lazyPassageIndex, readKnowledgeBase } from './knowledge-base.js';
import { KnowledgeBaseError, SAMPLE_KNOWLEDGE_BASE } from './knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from './knowledge-base-responder.js';

type ResponderConfig = Pick<Config, 'BEDROCK_MODEL_ID' | 'BEDROCK_TIMEOUT_MS' | 'KNOWLEDGE_BASE_DIR'>;

/** A knowledge base as read at start, with the folder it was read from. */
export interface ReadKnowledgeBase {
  folder: string;
  base: KnowledgeBase;
}

/**
 * The knowledge base the configuration names, read: KNOWLEDGE_BASE_DIR, else `knowledgeBaseDir`, else
 * the shipped sample articles. An error in the operator's folder names the setting.
 */
export function readConfiguredKnowledgeBase(
  config: Pick<Config, 'KNOWLEDGE_BASE_DIR'>,
  knowledgeBaseDir?: string,
): ReadKnowledgeBase {
  const folder = config.KNOWLEDGE_BASE_DIR ?? knowledgeBaseDir ?? SAMPLE_KNOWLEDGE_BASE;
  try {
    return { folder, base: readKnowledgeBase(folder) };
  } catch (error) {
    // The articles of the operator's folder stop the start naming the setting too, as every file setting does.
    if (!(error instanceof KnowledgeBaseError) || config.KNOWLEDGE_BASE_DIR === undefined) throw error;
    throw new ConfigError(`KNOWLEDGE_BASE_DIR: ${error.message}`, { cause: error });
  }
}

/**
 * The responder the configuration asks for: Amazon Bedrock when BEDROCK_MODEL_ID is set (its prompt
 * holds the passages of the knowledge base that answer the message; a call gets BEDROCK_TIMEOUT_MS), else the knowledge-base
 * responder over it (`readConfiguredKnowledgeBase`, or the one already read).
 */
export function createResponder(
  config: ResponderConfig,
  knowledgeBaseDir?: string,
  read: ReadKnowledgeBase = readConfiguredKnowledgeBase(config, knowledgeBaseDir),
): Responder {
  const { base } = read;
  return config.BEDROCK_MODEL_ID
    ? createBedrockResponder({
        client: new BedrockRuntimeClient({}),
        modelId: config.BEDROCK_MODEL_ID,
        timeoutMs: config.BEDROCK_TIMEOUT_MS,
        knowledge: lazyPassageIndex(base),
      })
    : createKnowledgeBaseResponder({
        articles: base.articles,
        ...(base.synonyms ? { synonyms: base.synonyms } : {}),
        ...(base.calibration ? { calibration: base.calibration } : {}),
      });
}
