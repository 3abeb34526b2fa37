import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { DEFAULT_ROUTING_POLICY_URL } from '../domain/routing/default-policy.js';
import type { RoutingPolicy } from '../domain/routing/policy.js';
import { type ReadKnowledgeBase, readConfiguredKnowledgeBase } from './create-responder.js';
import { SAMPLE_KNOWLEDGE_BASE } from './knowledge-base-articles.js';

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * One line that says what answers customers: the routing policy file and its queues, the knowledge
 * base folder and what it holds, and the AI. `npm start` prints it; the resolver logs it at cold start.
 * `read` and `policy` are those already read, when they are.
 */
export function setupLine(
  config: Pick<Config, 'ROUTING_POLICY_FILE' | 'KNOWLEDGE_BASE_DIR' | 'BEDROCK_MODEL_ID'>,
  read: ReadKnowledgeBase = readConfiguredKnowledgeBase(config),
  policy: RoutingPolicy = loadRoutingPolicy(config.ROUTING_POLICY_FILE),
): string {
  const policyFile = config.ROUTING_POLICY_FILE ?? fileURLToPath(DEFAULT_ROUTING_POLICY_URL);
  const shipped = config.ROUTING_POLICY_FILE === undefined ? 'shipped; ' : '';
  const sample = read.folder === SAMPLE_KNOWLEDGE_BASE ? 'sample; ' : '';
  const { base } = read;
  const holds = [
    count(base.articles.length, 'article'),
    base.synonyms ? 'synonyms' : 'no synonyms',
    base.calibration ? 'calibration' : 'no calibration',
  ].join(', ');
  const ai = config.BEDROCK_MODEL_ID ? `Bedrock ${config.BEDROCK_MODEL_ID}` : 'knowledge-base responder';
  return [
    `routing policy: ${policyFile} (${shipped}${count(policy.queues.length, 'queue')})`,
    `knowledge base: ${read.folder} (${sample}${holds})`,
    `AI: ${ai}`,
  ].join(' · ');
}
