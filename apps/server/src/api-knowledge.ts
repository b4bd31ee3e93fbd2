// The Api's shared knowledge and semantic cache: facts added and queried by meaning, values cached under the
// meaning of a key (invalidated by a change to any of their sources).
import type { z } from 'zod';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import { valid, type In } from './api-input.js';
import { assertMayReadSources } from './api-memory.js';
import * as S from './schemas.js';

export async function addFact(api: Api, input: z.input<typeof S.AddFactBody>, caller: Caller = OPERATOR) {
  const body = valid(S.AddFactBody, input, 'fact');
  await assertMayReadSources(api, body.sources, caller);
  return api.kb.addFact(body.subject, body.predicate, body.object, body.source, body.sources ? { sources: body.sources } : {});
}

export async function queryFacts(api: Api, input: z.input<typeof S.QueryFactsBody>) {
  const body = valid(S.QueryFactsBody, input, 'fact query');
  return { facts: await api.kb.queryFacts(body.query, body.k) };
}

export async function cacheGet(api: Api, body: In<typeof S.CacheGetBody>): Promise<{ hit: boolean; value: unknown }> {
  const value = await api.cache.get(body.query, body.threshold !== undefined ? { threshold: body.threshold } : {});
  return { hit: value !== null, value };
}

export async function cacheSet(api: Api, body: In<typeof S.CacheSetBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
  await assertMayReadSources(api, body.sources, caller);
  return { id: await api.cache.set(body.key, body.value, body.sources ? { sources: body.sources } : {}) };
}
