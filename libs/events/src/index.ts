// Public face of @hvs-nvm/events: event schemas, their envelope, the binary codec, and stream/subject names.
export * from './schemas.js';
export {
  encodeEventData,
  decodeEventData,
  decodeEventRecord,
  frameEventRecord,
  isEventRecord,
  jsonParts,
  EventCodecError,
  type JsonParts,
} from './codec.js';
export { registerUpcaster, upcast, type Upcaster } from './upcast.js';
export {
  hvsNames,
  mailNames,
  nvmNames,
  collectionRegistryNames,
  namespaceRegistryNames,
  worldNames,
  streamIds,
  querySubject,
  mailboxConsumer,
  NAMESPACE_PATTERN,
  type StoreNames,
} from './names.js';
export { CodedError, InvalidArgumentError, sharedErrorMember } from './errors.js';
export { jsonShapeProblem, MAX_INPUT_JSON_DEPTH, FORBIDDEN_JSON_KEYS, type JsonShapeProblem } from './json-shape.js';
export { isPlainObject, describeValue, messageOf, optionsOf } from './values.js';
export { strictJsonText, NotJsonError, type StrictJsonOptions } from './strict-json.js';
export { seededRandom, type Random } from './random.js';
