#!/usr/bin/env node
// JetStream smoke test against a running server or cluster (needs `npm ci` for the NATS client).
//
//   NATS_URL=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224 HVS_NVM_REPLICAS=3 \
//     node infra/scripts/js-smoke.mjs
//
// Creates a throw-away file stream with HVS_NVM_REPLICAS replicas (default 1), publishes a few
// messages, reads them back from the stream, prints the stream's leader and replicas, and deletes
// the stream. Exit 0 on success.
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';

const servers = (process.env.NATS_URL || 'nats://127.0.0.1:4222')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const replicas = Number(process.env.HVS_NVM_REPLICAS || 1);
const name = `HVS_NVM_SMOKE_${process.pid}_${Date.now()}`;
const subject = `hvs-nvm.smoke.${process.pid}`;
const count = 10;

const nc = await connect({ servers, name: 'hvs-nvm-js-smoke', timeout: 5000 });
let jsm;
try {
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [subject], storage: 'file', num_replicas: replicas });
  const js = jetstream(nc);
  const enc = new TextEncoder();
  for (let i = 1; i <= count; i++) {
    const ack = await js.publish(subject, enc.encode(`m${i}`), { msgID: `${name}-${i}` });
    if (ack.seq !== i) throw new Error(`publish ${i}: expected seq ${i}, got ${ack.seq}`);
  }
  const dec = new TextDecoder();
  for (let i = 1; i <= count; i++) {
    const m = await jsm.streams.getMessage(name, { seq: i });
    if (dec.decode(m.data) !== `m${i}`) throw new Error(`read back seq ${i}: got ${dec.decode(m.data)}`);
  }
  const info = await jsm.streams.info(name);
  const peers = (info.cluster?.replicas ?? []).map((r) => `${r.name}${r.current ? '' : ' (catching up)'}`);
  console.log(
    `ok: ${count} messages published and read back on ${nc.getServer()}; stream ${name} R${info.config.num_replicas}` +
      (info.cluster ? `, leader ${info.cluster.leader}, replicas [${peers.join(', ')}]` : ''),
  );
} finally {
  await jsm?.streams.delete(name).catch(() => {});
  await nc.close();
}
