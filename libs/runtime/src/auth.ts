// Generates nats-server `authorization {}` config so the SERVER enforces who may write, send mail as whom, and read which mailbox.
import { isReservedAgentId, mailboxConsumer } from '@hvs-nvm/events';
import { RuntimeError } from './errors.js';

/** Same alphabet as @hvs-nvm/events `Id` / `NAMESPACE_PATTERN` (runtime sits below events, so it repeats them). */
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_\-:=]{0,127}$/;
const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

export class AuthConfigError extends RuntimeError {
  constructor(message: string) {
    super('INVALID_AUTH_CONFIG', message, 400);
  }
}

export interface UserCredentials {
  user: string;
  password: string;
}

export interface AuthConfigInput {
  /** The HVS collection whose mail the agents use (streams HVS_<collection>, MAIL_<collection>). */
  collection: string;
  /** The NVM namespace (stream NVM_<namespace>); agents may not append to it directly. */
  namespace: string;
  /** Untrusted agents: each may send mail only as itself and read only its own mailbox. */
  agents: { id: string; password: string }[];
  /** The trusted writer (apps/server, apps/projector): full access. */
  writer: UserCredentials;
  /**
   * The identity query responders (apps/projector, `serveQueries`) connect with: it receives queries and may answer
   * only to inboxes, never publish to the store subjects. A request names its own reply subject, so a responder
   * with the writer's permissions could be made to "answer" into a stream.
   */
  responder?: UserCredentials;
  /** An operator account for tooling (nats CLI): full access. */
  admin?: UserCredentials;
}

/** The mailbox durable consumer of an agent, named as libs/hvs names it. */
export function mailboxConsumerName(agentId: string): string {
  return mailboxConsumer(agentId);
}

/**
 * The inbox prefix an agent must connect with (nats.js `connect({ inboxPrefix })`). Replies (JetStream acks, pulled
 * mailbox messages, query answers) go to the requester's inbox; with one shared `_INBOX.>` any agent could
 * subscribe to `_INBOX.>` and read every other agent's mail as it is pulled. A per-agent prefix closes that.
 */
export function agentInboxPrefix(agentId: string): string {
  return `_INBOX.${agentId}`;
}

/** The subjects an agent may publish to and subscribe on. Everything else is refused by the server. */
export function agentPermissions(collection: string, agentId: string) {
  const mail = `MAIL_${collection}`;
  const durable = mailboxConsumerName(agentId);
  return {
    publish: {
      allow: [
        // Send mail as itself only: mail.<coll>.box.<to>.<from>.<msgId>, with <from> bound to the agent.
        `mail.${collection}.box.*.${agentId}.*`,
        // Its own mailbox consumer: look it up, pull from it, ack (ack / nak / term / in-progress) its messages.
        `$JS.API.CONSUMER.INFO.${mail}.${durable}`,
        `$JS.API.CONSUMER.MSG.NEXT.${mail}.${durable}`,
        `$JS.ACK.${mail}.${durable}.>`,
        // nats.js asks for the account's JetStream info when it makes a JetStreamManager.
        '$JS.API.INFO',
        // Requests to the projector's vector read model of this collection (answers come back on the agent's own
        // inbox). Not the block view: its queries name the actor whose permissions apply, which only trusted
        // processes may do.
        `hvsnvm.q.hvs.${collection}.>`,
      ],
      // Redundant with the allow list, and there on purpose: deny wins over allow, so a later, wider allow
      // (say `$JS.API.>`) cannot quietly let an agent append raw events or manage streams and consumers.
      deny: [
        `hvs.>`,
        `nvm.>`,
        'hvsnvm.q.nvm.>',
        // The world registry: fork records and aliases change what every client opens.
        'hvsnvm.worlds.>',
        '$JS.API.STREAM.>',
        '$JS.API.CONSUMER.CREATE.>',
        '$JS.API.CONSUMER.DURABLE.CREATE.>',
        '$JS.API.CONSUMER.DELETE.>',
        '$JS.API.DIRECT.GET.>',
      ],
    },
    subscribe: {
      // No subscribe deny list: nats-server checks *delivered* message subjects against subscribe denies, so
      // denying `mail.>` would also drop the agent's own pulled mail (it arrives with its stored subject).
      allow: [`${agentInboxPrefix(agentId)}.>`],
    },
  };
}

/** The store subjects: only the event store's own appends (as the writer) may publish there. */
export const STORE_SUBJECTS = ['hvs.>', 'nvm.>', 'mail.>'] as const;

/**
 * The query responder's subjects: it serves `hvsnvm.q.>` (and the micro-service discovery `$SRV.>`) and publishes
 * only replies to inboxes. The deny list repeats the store and JetStream API subjects on purpose (deny wins over
 * allow), so a wider allow added later cannot let a forged reply subject land in a stream.
 */
export function responderPermissions() {
  return {
    publish: { allow: ['_INBOX.>'], deny: [...STORE_SUBJECTS, '$JS.>', 'hvsnvm.q.>'] },
    subscribe: { allow: ['hvsnvm.q.>', '$SRV.>'] },
  };
}

/** nats-server config strings are double-quoted; refuse what the config lexer would not read back verbatim. */
function quote(value: string, what: string): string {
  if (/[\u0000-\u001f\u007f"\\]/.test(value))
    throw new AuthConfigError(`${what} must not contain quotes, backslashes or control characters`);
  return `"${value}"`;
}

function list(subjects: string[]): string {
  return `[${subjects.map((s) => quote(s, 'subject')).join(', ')}]`;
}

const FULL_ACCESS = 'permissions: { publish: { allow: [">"] }, subscribe: { allow: [">"] } }';

/** One `users` entry: full access, or the given publish/subscribe lists. */
export function userEntry(
  user: string,
  password: string,
  permissions: 'full' | { publish: { allow: string[]; deny?: string[] }; subscribe: { allow: string[] } },
): string {
  const who = `user: ${quote(user, 'user')}, password: ${quote(password, 'password')}`;
  if (permissions === 'full') return `{ ${who}, ${FULL_ACCESS} }`;
  const pub = `publish: { allow: ${list(permissions.publish.allow)}${permissions.publish.deny ? `, deny: ${list(permissions.publish.deny)}` : ''} }`;
  return `{ ${who}, permissions: { ${pub}, subscribe: { allow: ${list(permissions.subscribe.allow)} } } }`;
}

/**
 * nats-server config text: an `authorization { users = [...] }` block. Agents get the narrow permissions of
 * `agentPermissions`; the writer and the admin get full access. Include it in a node's config (or `-c` a file with it).
 */
export function generateAuthConfig(input: AuthConfigInput): string {
  const { collection, namespace, agents, writer, admin, responder } = input;
  if (!NAMESPACE.test(collection)) throw new AuthConfigError(`invalid collection '${collection}'`);
  if (!NAMESPACE.test(namespace)) throw new AuthConfigError(`invalid namespace '${namespace}'`);
  const users = new Set<string>();
  const durables = new Map<string, string>();
  const claim = (user: string) => {
    if (!user) throw new AuthConfigError('a user name must not be empty');
    if (users.has(user)) throw new AuthConfigError(`user '${user}' is listed twice`);
    users.add(user);
  };
  const lines = [
    `# HVS-NVM authorization for collection '${collection}', namespace '${namespace}' (generated)`,
    'authorization {',
    '  users = [',
  ];
  const trusted = (who: UserCredentials, role: string) => {
    claim(who.user);
    lines.push(`    # ${role}: full access`);
    lines.push(`    { user: ${quote(who.user, 'user')}, password: ${quote(who.password, 'password')}, ${FULL_ACCESS} }`);
  };
  trusted(writer, 'trusted writer (server, projector)');
  if (admin) trusted(admin, 'admin');
  if (responder) {
    claim(responder.user);
    lines.push('    # query responder (projector replicas): receives queries, answers only to inboxes, never writes to the stores');
    lines.push(`    ${userEntry(responder.user, responder.password, responderPermissions())}`);
  }
  for (const agent of agents) {
    if (!AGENT_ID.test(agent.id)) throw new AuthConfigError(`invalid agent id '${agent.id}'`);
    // The owner's id is trusted by the stores: a NATS user of that name would be taken for it.
    if (isReservedAgentId(agent.id)) throw new AuthConfigError(`'${agent.id}' is a reserved id, not an agent id`);
    claim(agent.id);
    // Two ids that map to one durable consumer would share a mailbox, so the server could not keep them apart.
    const durable = mailboxConsumerName(agent.id);
    const other = durables.get(durable);
    if (other !== undefined) throw new AuthConfigError(`agents '${other}' and '${agent.id}' would share mailbox consumer ${durable}`);
    durables.set(durable, agent.id);
    const p = agentPermissions(collection, agent.id);
    lines.push(`    # agent ${agent.id}: mail as itself, its own mailbox, queries; no raw appends, no stream or consumer admin`);
    lines.push(`    { user: ${quote(agent.id, 'agent id')}, password: ${quote(agent.password, 'password')}, permissions: {`);
    lines.push(`        publish: { allow: ${list(p.publish.allow)},`);
    lines.push(`                   deny: ${list(p.publish.deny)} },`);
    lines.push(`        subscribe: { allow: ${list(p.subscribe.allow)} } } }`);
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
