// Ack tokens are checked before anything is published: only an ack subject of this mailbox passes.
import { describe, expect, it } from 'vitest';
import { parseAckToken } from './ack-token.js';

const where = { stream: 'MAIL_default', consumer: 'mbox_bob' };
const token = (subject: string) => Buffer.from(subject).toString('base64url');

describe('ack tokens', () => {
  it('name one message of one mailbox, in the old and the new ack subject layout', () => {
    expect(parseAckToken(token('$JS.ACK.MAIL_default.mbox_bob.1.42.7.1796175915249000000.3'), where)).toEqual({
      subject: '$JS.ACK.MAIL_default.mbox_bob.1.42.7.1796175915249000000.3',
      streamSequence: 42,
    });
    expect(parseAckToken(token('$JS.ACK._.ACC.MAIL_default.mbox_bob.2.43.9.1796175915249000000.0.r4nd'), where)?.streamSequence).toBe(43);
  });

  it('refuse another mailbox, wildcards, spaces, non-numbers and what is no ack subject at all', () => {
    for (const subject of [
      '$JS.ACK.MAIL_default.mbox_alice.1.42.7.1.3',
      '$JS.ACK.MAIL_other.mbox_bob.1.42.7.1.3',
      '$JS.ACK.MAIL_default.mbox_bob.1.42.7.1.>',
      '$JS.ACK.MAIL_default.mbox_bob.1.*.7.1.3',
      '$JS.ACK.MAIL_default.mbox_bob.1.4 2.7.1.3',
      '$JS.API.STREAM.DELETE.MAIL_default.x.y.z.w',
      'mail.default.box.bob.alice.m1',
    ]) {
      expect(parseAckToken(token(subject), where), subject).toBeUndefined();
    }
    expect(parseAckToken(42, where)).toBeUndefined();
    expect(parseAckToken('', where)).toBeUndefined();
  });
});
