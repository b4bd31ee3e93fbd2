// Event-store stream ids and patterns as NATS subjects: validated, so that an id can never widen into a wildcard.
import type { StoreNames } from '@hvs-nvm/events';
import { InvalidStreamIdError } from './errors.js';

const STREAM_ID = /^[A-Za-z0-9_\-:=]+(\.[A-Za-z0-9_\-:=]+)*$/;
const STREAM_PATTERN = /^([A-Za-z0-9_\-:=]+|\*)(\.([A-Za-z0-9_\-:=]+|\*))*(\.>)?$|^>$/;

/** The subject of one stream: `<prefix>.<streamId>`; InvalidStreamIdError for anything but plain tokens. */
export function streamSubject(names: StoreNames, streamId: string): string {
  if (!STREAM_ID.test(streamId)) throw new InvalidStreamIdError(streamId);
  return `${names.prefix}.${streamId}`;
}

/** The subject of a stream pattern (`block.>`, `box.*.x`), or of the whole store when there is none. */
export function filterSubject(names: StoreNames, pattern: string | undefined): string {
  if (!pattern) return `${names.prefix}.>`;
  if (!STREAM_PATTERN.test(pattern)) throw new InvalidStreamIdError(pattern);
  return `${names.prefix}.${pattern}`;
}
