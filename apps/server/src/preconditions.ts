// HTTP conditional requests (RFC 9110 §13): entity tags of block versions and vectors, If-Match and If-None-Match.
import { createHash } from 'node:crypto';
import { HttpError } from './problem.js';

/** The strong entity tag of a block version: `"3"`. */
export const versionTag = (version: number): string => `"${version}"`;

/** A strong entity tag of a representation without a version (a vector): a digest of its JSON. */
export const digestTag = (value: unknown): string =>
  `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;

interface EntityTag {
  weak: boolean;
  /** With its quotes, as sent in ETag. */
  opaque: string;
}

/** `*`, or the list of entity tags of an If-Match / If-None-Match header; a malformed header is a 400. */
export function parseEntityTags(header: string, name: string): '*' | EntityTag[] {
  if (header.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  const re = /\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < header.length && (m = re.exec(header)) !== null) tags.push({ weak: m[1] !== undefined, opaque: m[2]! });
  if (re.lastIndex < header.length || tags.length === 0) {
    throw new HttpError(400, 'INVALID_HEADER', `${name} must be * or a list of quoted entity tags such as "3", got '${header}'`);
  }
  return tags;
}

/** If-None-Match (weak comparison): true when the current representation matches, i.e. a GET may answer 304. */
export function noneMatchHits(header: string | undefined, current: string): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header, 'If-None-Match');
  return tags === '*' || tags.some((t) => t.opaque === current);
}

/** If-Match (strong comparison): true when the current representation (undefined: none exists) matches. */
export function ifMatchHits(header: string, current: string | undefined): boolean {
  const tags = parseEntityTags(header, 'If-Match');
  if (current === undefined) return false;
  return tags === '*' || tags.some((t) => !t.weak && t.opaque === current);
}

/**
 * The block version a single strong If-Match tag names (`"3"` → 3), so the write can be conditional on it
 * atomically (expectedVersion); undefined when the header is absent or is `*`/a list/a weak or non-version tag,
 * which need the current version read first. A body's expectedVersion must agree with the header.
 */
export function expectedVersionOf(header: string | undefined, bodyVersion: number | undefined): number | undefined {
  if (header === undefined) return bodyVersion;
  const tags = parseEntityTags(header, 'If-Match');
  const single = tags !== '*' && tags.length === 1 && !tags[0]!.weak ? /^"(\d{1,15})"$/.exec(tags[0]!.opaque) : null;
  const fromHeader = single ? Number(single[1]) : undefined;
  if (bodyVersion !== undefined) {
    const agrees = fromHeader !== undefined ? fromHeader === bodyVersion : ifMatchHits(header, versionTag(bodyVersion));
    if (!agrees) {
      throw new HttpError(
        400,
        'PRECONDITION_CONFLICT',
        `If-Match '${header}' and expectedVersion ${bodyVersion} disagree; send one, or both naming the same version`,
      );
    }
    return bodyVersion;
  }
  return fromHeader;
}

export class PreconditionFailedError extends HttpError {
  constructor(what: string, header: string, current: string | undefined) {
    super(
      412,
      'PRECONDITION_FAILED',
      `${what} is ${current === undefined ? 'absent' : `at ${current}`}, which does not match If-Match: ${header}`,
    );
  }
}
