// Filters through the payload index: its candidates hold every match of the filter, and exactly them when exact.
import { seededRandom } from '@hvs-nvm/events';
import { describe, expect, it } from 'vitest';
import { PayloadIndex } from '@hvs-nvm/vector-index';
import { compileFilter } from './filter.js';
import { payloadPlan } from './filter-plan.js';

function randomDoc(r: () => number): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (r() < 0.9) doc.bucket = Math.floor(r() * 20);
  if (r() < 0.5) doc.tag = ['red', 'green', 'blue', null][Math.floor(r() * 4)];
  if (r() < 0.3) doc.tags = ['a', 'b', 'c'].filter(() => r() < 0.5);
  if (r() < 0.3) doc.meta = { level: Math.floor(r() * 5), ok: r() < 0.5, 'a.b': 1 };
  if (r() < 0.2) doc.items = [{ kind: 'k' + Math.floor(r() * 3) }, [{ kind: 'k2' }], ['k1']];
  if (r() < 0.05) doc.bucket = String(Math.floor(r() * 20));
  if (r() < 0.05) doc.tag = 'y'.repeat(300);
  return doc;
}

const FILTERS: Record<string, unknown>[] = [
  { bucket: 3 },
  { bucket: { $eq: 3 } },
  { bucket: { $in: [1, 2, '3'] } },
  { bucket: { $in: [] } },
  { bucket: { $lt: 5 } },
  { bucket: { $gte: 5, $lt: 8 } },
  { bucket: { $gt: '1' } },
  { bucket: { $ne: 3 } },
  { bucket: { $nin: [1, 2] } },
  { bucket: { $exists: false } },
  { bucket: { $not: { $lt: 10 } } },
  { tag: 'red' },
  { tag: null },
  { tag: 'y'.repeat(300) },
  { tag: { $in: ['red', 'blue'] }, bucket: { $lt: 10 } },
  { tags: 'b' },
  { tags: ['a', 'b'] },
  { 'tags.0': 'a' },
  { 'meta.level': { $gte: 3 } },
  { 'meta.ok': true, bucket: { $lte: 4 } },
  { 'meta.a.b': 1 },
  { 'items.kind': 'k1' },
  { 'items.kind': 'k2' },
  { meta: { level: 1, ok: true } },
  { $or: [{ tag: 'green' }, { bucket: 0 }] },
  { $or: [{ tag: 'green' }, { bucket: { $ne: 0 } }] },
  { $and: [{ bucket: { $lt: 12 } }, { $or: [{ tags: 'c' }, { 'meta.level': 0 }] }] },
  { $nor: [{ bucket: 1 }] },
  { $not: { bucket: 1 } },
  { bucket: 3, tag: { $ne: 'red' } },
  {},
];

describe('payloadPlan', () => {
  it('gives candidates holding every match of each filter, exactly the matches when it says exact', () => {
    const r = seededRandom(11);
    const docs = Array.from({ length: 2000 }, () => randomDoc(r));
    const index = new PayloadIndex();
    docs.forEach((d, label) => index.add(label, d));
    let exactPlans = 0;
    for (const filter of FILTERS) {
      const match = compileFilter(filter);
      const truth = docs.flatMap((d, label) => (match(d) ? [label] : []));
      const plan = payloadPlan(filter);
      const c = index.candidates(plan.query, docs.length);
      const where = JSON.stringify(filter).slice(0, 80);
      if (!c) {
        // The index cannot narrow it: the filter runs over everything, so the plan must not claim exactness wrongly.
        expect(plan.query.op, where).toBe('all');
        continue;
      }
      const got = new Set(c.labels);
      for (const l of truth) expect(got.has(l), `${where} misses ${l}`).toBe(true);
      if (plan.exact && c.exact) {
        exactPlans++;
        expect([...c.labels], where).toEqual(truth);
      }
    }
    expect(exactPlans).toBeGreaterThanOrEqual(12);
  });

  it('marks what the index cannot answer as inexact, and plain equality, $in and ranges as exact', () => {
    expect(payloadPlan({ bucket: 0 })).toEqual({ query: { op: 'terms', path: ['bucket'], values: [0] }, exact: true });
    expect(payloadPlan({ bucket: { $lt: 10 } })).toEqual({
      query: { op: 'range', path: ['bucket'], cmp: '$lt', value: 10 },
      exact: true,
    });
    expect(payloadPlan({ bucket: { $ne: 1 } })).toEqual({ query: { op: 'all' }, exact: false });
    expect(payloadPlan({ 'a.0': 1 }).exact).toBe(false);
    expect(payloadPlan({ a: null }).exact).toBe(false);
    const mixed = payloadPlan({ bucket: 1, tag: { $ne: 'x' } });
    expect(mixed).toEqual({ query: { op: 'terms', path: ['bucket'], values: [1] }, exact: false });
    expect(payloadPlan({ $or: [{ a: 1 }, { b: { $exists: true } }] }).query).toEqual({ op: 'all' });
  });
});
