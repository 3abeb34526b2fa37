import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The command that builds the agent console (functions/agent-api/console, esbuild, hashed assets) into
 * `console/` beside the agent API's bundle, which reads it on the first `/console` request.
 */
export function consoleBuildCommand(outputDir: string): string {
  const tsx = `${projectRoot}node_modules/.bin/tsx`;
  return `"${tsx}" "${projectRoot}shared/local/console-build.ts" "${outputDir}/console"`;
}
