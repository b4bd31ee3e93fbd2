// Public face of @hvs-nvm/eventstore: the event store over JetStream and the NATS connection it runs on.
export {
  EventStore,
  type AppendOptions,
  type AppendResult,
  type AnyNewEvent,
  type EventStoreOptions,
  type ExpectedRevision,
  type LogIdentity,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
} from './event-store.js';
export { CatchUpSubscription } from './subscription.js';
export { ForkedEventStore } from './forked-event-store.js';
export type { EventStorePort, EventSubscription, SubscribeOptions } from './port.js';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { QueryService, requestQuery, isWireError, type QueryServiceOptions, type WireError } from './query-service.js';
export { parseStoredMessage, H as EVENT_HEADERS, type RecordedEvent, type ParkedMessage } from './recorded.js';
export type { RecordFormat } from './record-format.js';
export { ensureStream, deleteStoreStream, type StreamLimits } from './stream-admin.js';
export { openNatsEndpoint, connectionOptionsOf, NatsConnectionOptions, type NatsEndpoint, type OpenEndpointOptions } from './connection.js';
export {
  EventStoreError,
  WrongExpectedVersionError,
  NewStreamsConflictError,
  EventValidationError,
  InvalidStreamIdError,
  EventStoreUnavailableError,
  EventStoreClosedError,
  ReadOnlyViewError,
} from './errors.js';
export { resolveAsOf, type ResolvedAsOf, type StoreKey } from './as-of.js';
export { AsOfSchema, CutSchema, formatAsOf, parseAsOf, type AsOf, type Cut } from './cut.js';
export { isNatsError, isNoResponders, isStreamNotFound, isTimeout, isTransient, isWrongLastSequence } from './nats-errors.js';
export {
  ProjectionRunner,
  ProjectionTimeoutError,
  checkpointFitsLog,
  type Projection,
  type ProjectionRunnerOptions,
} from './projection-runner.js';
export { withCall, currentCall, CORRELATION_ID_PATTERN, type CallContext } from './call-context.js';
export {
  WorldRegistry,
  ForkExistsError,
  ForkNotFoundError,
  ForkHasChildrenError,
  openWorldStore,
  type ForkKind,
  type ForkRecord,
} from './world-registry.js';
