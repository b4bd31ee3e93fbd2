// RFC 6902 JSON Patches on block content: validating a patch, and applying one to a block's JSON text (pure, so the
// decider, the block view and the audit all compute the same version from the same event).
import { z } from 'zod';
import jsonpatch from 'fast-json-patch';
import { isJsonValue, JsonPatch, MAX_PATCH_OPERATIONS } from '@hvs-nvm/events';
import { BlockNotJsonError, InvalidBlockError, InvalidPatchError, PatchNotApplicableError, PatchTestFailedError } from './errors.js';

export type BlockPatch = z.infer<typeof JsonPatch>;

/** A caller's patch, checked against RFC 6902's shape (ops, JSON Pointers, JSON values) before anything is read. */
export function validPatch(patch: unknown): BlockPatch {
  const parsed = JsonPatch.safeParse(patch);
  if (parsed.success) return parsed.data;
  throw new InvalidPatchError(
    `a patch is an array of 1 to ${MAX_PATCH_OPERATIONS} RFC 6902 operations (add, remove, replace, move, copy, test): ${z.prettifyError(parsed.error)}`,
  );
}

/**
 * The content a patch makes of a block's JSON text, as compact JSON text; all operations or none (the parsed text
 * is a fresh copy, so a failing operation leaves nothing half done). Throws BlockNotJsonError, PatchTestFailedError
 * or PatchNotApplicableError.
 */
export function applyBlockPatch(blockId: string, content: string, patch: BlockPatch): string {
  let document: unknown;
  try {
    document = JSON.parse(content) as unknown;
  } catch {
    throw new BlockNotJsonError(blockId);
  }
  let result: unknown;
  try {
    // validate: ops are checked against the document as they go; mutate: the copy just parsed is ours to change.
    result = jsonpatch.applyPatch(document, patch as jsonpatch.Operation[], true, true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) {
      const op = patch[err.index ?? -1];
      if (err.name === 'TEST_OPERATION_FAILED') throw new PatchTestFailedError(blockId, err.index, op?.path ?? '');
      throw new PatchNotApplicableError(blockId, err.index, err.message.split('\n')[0]!);
    }
    // The library refuses `__proto__` / `constructor/prototype` paths with a TypeError.
    throw new PatchNotApplicableError(blockId, undefined, err instanceof Error ? err.message.split('\n')[0]! : 'refused');
  }
  // Values were JSON and so was the document, but nesting can add up past what JSON rules allow.
  if (!isJsonValue(result))
    throw new InvalidBlockError(`the patched content of block '${blockId}' is not acceptable JSON (nested too deep?)`);
  return JSON.stringify(result);
}

/** applyBlockPatch for folds of recorded events: a patch the decider accepted applies; anything else keeps the content. */
export function patchedContent(blockId: string, content: string, patch: BlockPatch): string {
  try {
    return applyBlockPatch(blockId, content, patch);
  } catch {
    return content;
  }
}
