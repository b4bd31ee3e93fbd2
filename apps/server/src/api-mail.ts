// The Api's mail: messages sent into models' durable mailboxes, taken (acknowledged once the response is out, or by
// ackToken), as the caller, who may send and read only as itself with an agent token.
import type { z } from 'zod';
import type { ReceivedMessage } from '@hvs-nvm/hvs';
import { createLogger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import { assertActsAsItself, OPERATOR, type Caller } from './auth.js';
import { valid, type In } from './api-input.js';
import * as S from './schemas.js';

const log = createLogger('api');

function messageOut<M extends ReceivedMessage>(m: M): Omit<M, 'sentAt'> & { sentAt: string } {
  return { ...m, sentAt: m.sentAt.toISOString() };
}

export async function sendMessage(api: Api, input: z.input<typeof S.SendMessageBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
  const body = valid(S.SendMessageBody, input, 'message');
  assertActsAsItself(caller, body.from, 'send messages as');
  return { id: await api.deps.hvs.sendMessage(body.from, body.to, body.body) };
}

/** See Api.receiveMessages. */
export async function receiveMessages(
  api: Api,
  modelId: string,
  query: Partial<In<typeof S.ReceiveMessagesQuery>> = {},
  caller: Caller = OPERATOR,
  sent?: Promise<boolean>,
): Promise<z.input<typeof S.ReceivedMessagesOut>> {
  assertActsAsItself(caller, modelId, 'read the mailbox of');
  const { ack = 'auto', asOf, ...options } = query;
  if (asOf !== undefined) return (await api.at(asOf)).receiveMessages(modelId, options, caller);
  // A view's mailbox is its history up to the view's point: nothing to acknowledge.
  if ((!sent && ack === 'auto') || api.deps.hvs.readOnly) {
    const messages = await api.deps.hvs.receiveMessages(modelId, options);
    return { messages: messages.map(messageOut) };
  }
  const batch = await api.deps.hvs.fetchMessages(modelId, options);
  const settle = async (reached: boolean) => {
    if (!reached) batch.nak();
    else if (ack === 'explicit') batch.release();
    else await batch.ack();
  };
  // An ack lost here (NATS down) only means the messages come again after the ack wait: at least once.
  void (sent ?? Promise.resolve(true))
    .then(settle)
    .catch((err: unknown) => log.warn({ err, modelId }, 'acknowledging handed-out mail failed'));
  if (ack === 'explicit') return { messages: batch.messages.map(messageOut), ackWaitMs: batch.ackWaitMs };
  return { messages: batch.messages.map(({ ackToken: _token, ...m }) => messageOut(m)) };
}

export async function ackMessages(
  api: Api,
  modelId: string,
  input: z.input<typeof S.AckMessagesBody>,
  caller: Caller = OPERATOR,
): Promise<{ acked: number }> {
  const body = valid(S.AckMessagesBody, input, 'ack');
  assertActsAsItself(caller, modelId, 'acknowledge the mail of');
  return { acked: await api.deps.hvs.ackMessages(modelId, body.tokens) };
}
