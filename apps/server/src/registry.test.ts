import { describe, expect, it } from 'vitest';
import { foldEntry, type RegistryKind } from './registry.js';

const kind: RegistryKind = { created: 'NamespaceCreated', deleted: 'NamespaceDeleted', streamId: (n) => `ns.${n}`, all: 'ns.>' };

describe('foldEntry', () => {
  it('has no settings and revision -1 for a name never recorded', () => {
    expect(foldEntry(kind, [])).toEqual({ revision: -1 });
  });

  it('keeps the last creation while the name exists, and forgets it on deletion', () => {
    const created = { type: 'NamespaceCreated', data: { name: 'a', v: 1 }, revision: 0 } as const;
    const deleted = { type: 'NamespaceDeleted', data: { name: 'a' }, revision: 1 } as const;
    const again = { type: 'NamespaceCreated', data: { name: 'a', v: 2 }, revision: 2 } as const;
    expect(foldEntry(kind, [created])).toEqual({ settings: { name: 'a', v: 1 }, revision: 0 });
    expect(foldEntry(kind, [created, deleted])).toEqual({ revision: 1 });
    expect(foldEntry(kind, [created, deleted, again])).toEqual({ settings: { name: 'a', v: 2 }, revision: 2 });
  });
});
