import { describe, expect, it } from 'vitest';
import { AgentProfileSchema } from '#shared/domain/assignment.js';
import {
  AGENT_LIST_ATTRIBUTES,
  LIST_INDEX,
  LIST_INDEX_ATTRIBUTES,
  tableDefinition,
} from '#shared/store/table.js';

describe('the list index', () => {
  it("projects every field of an agent's profile, so the agents list reads the index alone", () => {
    expect([...AGENT_LIST_ATTRIBUTES].sort()).toEqual(Object.keys(AgentProfileSchema.shape).sort());
    const index = tableDefinition('t').GlobalSecondaryIndexes?.find((i) => i.IndexName === LIST_INDEX);
    expect(index?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: LIST_INDEX_ATTRIBUTES });
    expect(LIST_INDEX_ATTRIBUTES).toEqual(expect.arrayContaining(['assignee', 'queue', 'channels']));
  });
});
