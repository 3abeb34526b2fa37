import { mockClient } from 'aws-sdk-client-mock';
import { afterAll } from 'vitest';

/**
 * `mockClient` for a test file: aws-sdk-client-mock stubs the client class's prototype, which every
 * later file in the same worker shares (the suite runs files without isolation), so the stub is
 * restored when the file (or the describe block it was made in) is done; a later file that talks to
 * dynalite through the real client then gets the real `send`.
 */
export const mockAws: typeof mockClient = (client, sandbox) => {
  const stub = mockClient(client, sandbox);
  afterAll(() => {
    stub.restore();
  });
  return stub;
};
