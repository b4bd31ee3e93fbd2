// Ack tokens: a delivery's JetStream ack subject handed to a caller, and checked to name one message of one mailbox before it is used.
import type { JsMsg } from '@nats-io/jetstream';

/** What an ack subject is sent to acknowledge. */
export const ACK_PAYLOAD = new TextEncoder().encode('+ACK');
/** Token characters of an ack subject: no wildcard, separator or space can be smuggled into the subject we publish. */
const SUBJECT_TOKEN = /^[A-Za-z0-9_\-:=]+$/;

/**
 * A delivery's ack subject as an opaque token. nats.js's JsMsg has the subject (`reply`) without declaring it in
 * its interface; rebuilding it from `info` would drop the domain and account hash of newer servers' subjects.
 */
export function ackTokenOf(m: JsMsg): string {
  const reply = (m as Partial<{ reply: string }>).reply;
  if (typeof reply !== 'string' || !reply.startsWith('$JS.ACK.')) throw new Error(`message ${m.seq} has no ack subject`);
  return Buffer.from(reply).toString('base64url');
}

/** The ack subject of a token and the mail-log position it acknowledges, if it is one of `stream`/`consumer`'s. */
export function parseAckToken(
  token: unknown,
  where: { stream: string; consumer: string },
): { subject: string; streamSequence: number } | undefined {
  if (typeof token !== 'string') return undefined;
  const subject = Buffer.from(token, 'base64url').toString('utf8');
  const t = subject.split('.');
  // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>, or with
  // <domain>.<account hash> after ACK and a random token at the end (newer servers).
  const [stream, consumer, ...numbers] = t.length === 9 ? t.slice(2) : t.length === 12 ? t.slice(4, 11) : [];
  const valid =
    t[0] === '$JS' &&
    t[1] === 'ACK' &&
    t.slice(1).every((x) => SUBJECT_TOKEN.test(x)) &&
    stream === where.stream &&
    consumer === where.consumer &&
    numbers.length === 5 &&
    numbers.every((x) => /^\d+$/.test(x));
  return valid ? { subject, streamSequence: Number(numbers[1]) } : undefined;
}
