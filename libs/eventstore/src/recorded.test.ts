// Reading stored messages: old schema versions are upcast to the current one before validation; what cannot be
// read is parked with its reason, never thrown.
import { afterEach, describe, expect, it } from 'vitest';
import { headers } from '@nats-io/nats-core';
import { currentSchemaVersion, encodeEventData, registerUpcaster } from '@hvs-nvm/events';
import { H, parseStoredMessage } from './recorded.js';

const saved = currentSchemaVersion.FactAdded;
afterEach(() => {
  currentSchemaVersion.FactAdded = saved;
});

function stored(schemaVersion: number, data: unknown) {
  const h = headers();
  h.append(H.type, 'FactAdded');
  h.append(H.schema, String(schemaVersion));
  h.append(H.occurredAt, '2026-01-01T00:00:00.000Z');
  h.append(H.actor, 'writer');
  h.append(H.revision, '0');
  return parseStoredMessage('nvm.kb', 'nvm.kb.fact.f1', 7, h, encodeEventData(data), 1_767_225_600_000 * 1e6);
}

describe('parseStoredMessage and upcasting', () => {
  it('lifts an event of an older schema version, step by step, to the current one', () => {
    // Suppose FactAdded v1 had no source, v2 a string timestamp, and v3 (current here) is the schema as it is now.
    currentSchemaVersion.FactAdded = 3;
    registerUpcaster('FactAdded', 1, (d) => ({ ...(d as object), source: 'unknown' }));
    registerUpcaster('FactAdded', 2, (d) => ({ ...(d as object), timestamp: Number((d as { timestamp: string }).timestamp) }));
    const parsed = stored(1, { factId: 'f1', subject: 's', predicate: 'p', object: 'o', timestamp: '42' });
    expect(parsed.kind).toBe('event');
    if (parsed.kind !== 'event') return;
    expect(parsed.event.data).toEqual({ factId: 'f1', subject: 's', predicate: 'p', object: 'o', source: 'unknown', timestamp: 42 });
    expect(parsed.event.metadata.schemaVersion).toBe(3);
    expect(parsed.event.position).toBe(7);
    expect(parsed.event.streamId).toBe('fact.f1');
  });

  it('parks what it cannot read: a version with no upcaster, a future version, a payload that fails its schema', () => {
    currentSchemaVersion.FactAdded = 5;
    const noStep = stored(4, { factId: 'f1' });
    expect(noStep).toMatchObject({
      kind: 'parked',
      parked: { reason: expect.stringMatching(/no upcaster for FactAdded from schema version 4/) },
    });
    currentSchemaVersion.FactAdded = saved;
    expect(stored(saved + 1, {})).toMatchObject({
      kind: 'parked',
      parked: { reason: expect.stringMatching(/unsupported schema version/) },
    });
    expect(stored(saved, { factId: 'f1' })).toMatchObject({
      kind: 'parked',
      parked: { reason: expect.stringMatching(/failed its schema/) },
    });
  });
});
