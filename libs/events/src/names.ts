// Stream and subject names, in one place. One JetStream stream per store; event-store streams are subjects in it.
import { createHash } from 'node:crypto';

/** A collection / namespace name: a single subject token, upper-cased for JetStream stream names. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface StoreNames {
  /** JetStream stream name. */
  stream: string;
  /** Subject prefix; event-store stream `x.y` lives on subject `${prefix}.x.y`. */
  prefix: string;
}

/** HVS vectors and agent presence: stream HVS_<collection>, subjects hvs.<collection>.> */
export function hvsNames(collection: string): StoreNames {
  return { stream: `HVS_${collection}`, prefix: `hvs.${collection}` };
}

/**
 * The server's registry of collections: stream HVSNVM_COLLECTIONS, subjects hvs.$collections.> (`$` is outside
 * NAMESPACE_PATTERN, so no collection's subjects can overlap it; under `hvs.` so agents may not publish to it).
 */
export function collectionRegistryNames(): StoreNames {
  return { stream: 'HVSNVM_COLLECTIONS', prefix: 'hvs.$collections' };
}

/**
 * The server's registry of NVM namespaces: stream HVSNVM_NAMESPACES, subjects nvm.$namespaces.> (`$` is outside
 * NAMESPACE_PATTERN, so no namespace's subjects can overlap it; under `nvm.` so agents may not publish to it).
 */
export function namespaceRegistryNames(): StoreNames {
  return { stream: 'HVSNVM_NAMESPACES', prefix: 'nvm.$namespaces' };
}

/** Agent mailboxes: stream MAIL_<collection>, subjects mail.<collection>.> */
export function mailNames(collection: string): StoreNames {
  return { stream: `MAIL_${collection}`, prefix: `mail.${collection}` };
}

/** NVM blocks, names and facts: stream NVM_<namespace>, subjects nvm.<namespace>.> */
export function nvmNames(namespace: string): StoreNames {
  return { stream: `NVM_${namespace}`, prefix: `nvm.${namespace}` };
}

/** The registry of forks and aliases: stream HVSNVM_WORLDS, subjects hvsnvm.worlds.> */
export function worldNames(): StoreNames {
  return { stream: 'HVSNVM_WORLDS', prefix: 'hvsnvm.worlds' };
}

/** Event-store stream ids (relative to a store's prefix). */
export const streamIds = {
  /** One stream per collection holding its CollectionConfigured event. */
  collection: 'collection',
  vector: (id: string) => `vec.${id}`,
  vectors: 'vec.>',
  model: (modelId: string) => `model.${modelId}`,
  models: 'model.>',
  /**
   * Each message is its own stream under its recipient's mailbox. The sender is part of the subject so that
   * NATS permissions can let an agent publish only as itself (`box.*.<self>.*`).
   */
  message: (to: string, from: string, messageId: string) => `box.${to}.${from}.${messageId}`,
  mailbox: (to: string) => `box.${to}.>`,
  mailboxes: 'box.>',
  deadLetter: (to: string, messageId: string) => `dlq.${to}.${messageId}`,
  block: (blockId: string) => `block.${blockId}`,
  blocks: 'block.>',
  /** Names may hold any character, so their stream id is a digest of the name. */
  blockName: (name: string) => `name.${createHash('sha256').update(name).digest('base64url')}`,
  fact: (factId: string) => `fact.${factId}`,
  /** The registry's stream of one collection's CollectionCreated / CollectionDeleted events. */
  registeredCollection: (name: string) => `coll.${name}`,
  registeredCollections: 'coll.>',
  /** The registry's stream of one namespace's NamespaceCreated / NamespaceDeleted events. */
  registeredNamespace: (name: string) => `ns.${name}`,
  registeredNamespaces: 'ns.>',
  facts: 'fact.>',
  /** The fork record of one store of a world (in the world registry). */
  fork: (kind: 'hvs' | 'nvm', name: string) => `fork.${kind}.${name}`,
  forks: 'fork.>',
  alias: (alias: string) => `alias.${alias}`,
  aliases: 'alias.>',
} as const;

/**
 * The durable consumer holding a model's mailbox. The escape is injective (`_`→`__`, `:`→`_c`, `=`→`_e`), so two
 * model ids can never share one mailbox.
 */
export function mailboxConsumer(modelId: string): string {
  return `mbox_${modelId.replace(/[_:=]/g, (c) => (c === '_' ? '__' : c === ':' ? '_c' : '_e'))}`;
}

/** NATS request/reply subjects served by apps/projector. */
export function querySubject(kind: 'hvs' | 'nvm', namespace: string, op: string): string {
  return `hvsnvm.q.${kind}.${namespace}.${op}`;
}
