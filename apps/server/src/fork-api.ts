// The fork operations behind POST/GET/DELETE /v1/forks: branch the world, list and delete forks, promote one.
import { z } from 'zod';
import { defaultEncoder, hashingEncoder, type Encoder } from '@hvs-nvm/encoders';
import { parseAsOf, type HVSNVMIntegration, type WorldFork } from '@hvs-nvm/hvs-nvm';
import type { Caller } from './auth.js';
import { HttpError } from './problem.js';
import type * as S from './schemas.js';

/** Forks change what the whole server serves: only the operator may make, delete or promote one. */
function assertOperator(caller: Caller, what: string): void {
  if (caller.kind !== 'operator') throw new HttpError(403, 'FORBIDDEN', `only the operator may ${what}`);
}

async function encoderOf(spec: z.output<typeof S.ForkBody>['encoder'], current: Encoder): Promise<Encoder | undefined> {
  if (!spec) return undefined;
  if (spec.name === 'hashing') return hashingEncoder(spec.dimension ?? current.dimension);
  if (spec.name === 'sentence') return defaultEncoder();
  return undefined;
}

export async function forkWorld(
  integration: HVSNVMIntegration,
  encoder: Encoder,
  body: z.output<typeof S.ForkBody>,
  caller: Caller,
): Promise<WorldFork> {
  assertOperator(caller, 'fork the world');
  const asOf = body.asOf !== undefined ? parseAsOf(body.asOf) : undefined;
  if (body.asOf !== undefined && !asOf) {
    throw new HttpError(400, 'INVALID_AS_OF', `asOf '${body.asOf}' is neither an ISO 8601 time nor a cut like hvs:12,mail:3,nvm:40`);
  }
  const next = await encoderOf(body.encoder, encoder);
  const fork = await integration.fork({
    name: body.name,
    ...(asOf ? { asOf } : {}),
    ...(next ? { encoder: next } : {}),
    ...(body.geometry ? { geometry: body.geometry } : {}),
  });
  await fork.close();
  const listed = (await integration.forks()).find((f) => f.name === body.name);
  if (!listed) throw new HttpError(500, 'INTERNAL', `fork '${body.name}' was made but is not listed`);
  return listed;
}

export function listForks(integration: HVSNVMIntegration): Promise<WorldFork[]> {
  return integration.forks();
}

export async function deleteFork(integration: HVSNVMIntegration, name: string, caller: Caller): Promise<void> {
  assertOperator(caller, 'delete a fork');
  await integration.deleteFork(name);
}

export async function promoteFork(integration: HVSNVMIntegration, name: string, alias: string | undefined, caller: Caller) {
  assertOperator(caller, 'promote a fork');
  if (!(await integration.forks()).some((f) => f.name === name)) throw new HttpError(404, 'FORK_NOT_FOUND', `no fork named '${name}'`);
  return integration.promote(name, alias !== undefined ? { alias } : {});
}
