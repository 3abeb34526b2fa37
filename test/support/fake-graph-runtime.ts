import type { LocalRuntime } from '#shared/local/runtime.js';
import { startFakeGraph } from './fake-graph.js';
import { startTestRuntime } from './runtime.js';

/** The test runtime with Meta's Graph at a local fake (META_GRAPH_URL) and a Page token; both closed by `close`. */
export async function startRuntimeOnFakeGraph(
  options: { pageToken: string; env: Record<string, string> } & Omit<
    Parameters<typeof startTestRuntime>[0] & object,
    'env'
  >,
): Promise<{
  runtime: LocalRuntime;
  graph: Awaited<ReturnType<typeof startFakeGraph>>;
  close: () => Promise<void>;
}> {
  const { pageToken, env, ...rest } = options;
  const graph = await startFakeGraph();
  const runtime = await startTestRuntime({
    ...rest,
    env: { ...env, META_PAGE_ACCESS_TOKEN: pageToken, META_GRAPH_URL: graph.origin },
  });
  return {
    runtime,
    graph,
    close: async () => {
      await runtime.close();
      await graph.close();
    },
  };
}
