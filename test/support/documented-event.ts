import * as z from 'zod';

/** The parts of `/api/openapi.json` that describe the events integrators receive. */
export type EventDocument = {
  webhooks: Record<
    string,
    { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }
  >;
  components: { schemas: Record<string, unknown> };
};

/**
 * The documented schema of one event type as a validator that refuses any field the document does not
 * name, and any value of a closed set it does not list: the document leaves its objects open and its
 * sets extensible (`x-extensible-enum`) for integrators, and the tests close both so an event carrying
 * an undocumented field or value fails.
 */
export function documentedEvent(doc: EventDocument, type: string): z.ZodType {
  const ref = doc.webhooks[type]?.post.requestBody.content['application/json']?.schema.$ref ?? '';
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (node === null || typeof node !== 'object') return node;
    const closed = Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key === 'x-extensible-enum' ? 'enum' : key, close(value)]),
    );
    return 'properties' in closed && !('additionalProperties' in closed)
      ? { ...closed, additionalProperties: false }
      : closed;
  };
  return z.fromJSONSchema(close(doc.components.schemas[ref.replace('#/components/schemas/', '')]) as never);
}
