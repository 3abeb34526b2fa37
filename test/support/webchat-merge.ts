import { agentCaller, customerReads } from './agent-api.js';
import { useTestRuntime } from './test-runtime.js';
import { visitorClient, WEBCHAT_SECRET } from './webchat.js';

/**
 * The runtime of a web-chat merge test (live web chat, signed visitors, `site` allowed), its admin
 * `agentId` signed in with `token`, and the visitor's side: a client of `site` and a session's history
 * (as `H`, the fields the test reads).
 */
export function useWebchatMergeRuntime<H>(agentId: string, token: string, site: string) {
  const runtime = useTestRuntime({
    webchatLive: true,
    env: {
      AGENT_TOKENS: `${agentId}:${token}:admin`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: site,
    },
  });
  const api = agentCaller(() => runtime.url, token);
  const reads = customerReads(api);
  const visitor = () => visitorClient(runtime.url, site);
  const historyOf = async (session: string) => (await (await visitor().history(session)).json()) as H;
  return { runtime, api, reads, visitor, historyOf };
}
