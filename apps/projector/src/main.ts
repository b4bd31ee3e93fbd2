// apps/projector: runs the HVS projection of one collection (and, with --namespace, the NVM block view of one
// namespace) as its own process and serves queries over NATS. Facts live in both: their vectors in the collection,
// the shared knowledge-base block in the namespace.
import { parseArgs } from 'node:util';
import { HVS, HVSOptionsSchema, parseShard, shardDelivery, type Shard } from '@hvs-nvm/hvs';
import { NVM, NVMOptionsSchema } from '@hvs-nvm/nvm';
import { defaultEncoder, hashingEncoder } from '@hvs-nvm/encoders';
import { createLogger, loadConfig } from '@hvs-nvm/runtime';

const USAGE =
  'usage: projector [--data-dir DIR] [--replica ID] [--collection NAME] [--dimension N] [--geometry euclidean|spherical|hyperboloid]\n' +
  '                 [--shard I/N] [--namespace NVM_NAMESPACE [--encoder sentence|hashing]] [--name SERVICE_NAME]\n' +
  '                 [--quantization none|int8|binary [--rescore-factor N]] [--insert-threads N]\n' +
  'Runs the HVS projection as a NATS micro service (queue group hvs-projector-<collection>); with --shard I/N, only the\n' +
  'vectors of shard I of N (queue group hvs-projector-<collection>-sIofN; clients open with shards: N); with --namespace, also the\n' +
  'NVM block view (queue group nvm-projector-<namespace>). --quantization: what the graph holds per vector (float32,\n' +
  'int8 codes or, spherical only, sign bits; results are rescored exactly from the float vectors kept on disk).\n' +
  'Honours NATS_URL. Exit codes: 0 stopped, 1 error, 2 bad arguments.\n';

/** The stores' own option schemas check the arguments they take, before anything connects. */
const HvsArgs = HVSOptionsSchema.pick({
  collection: true,
  dimension: true,
  geometry: true,
  quantization: true,
  rescoreFactor: true,
  insertThreads: true,
});
const NvmArgs = NVMOptionsSchema.pick({ namespace: true });
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

function usageError(message: string): never {
  process.stderr.write(`projector: ${message}\n${USAGE}`);
  process.exit(2);
}

const log = createLogger('projector');
let raw: ReturnType<typeof parseArgs>['values'];
try {
  ({ values: raw } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      collection: { type: 'string', default: 'default' },
      dimension: { type: 'string', default: '512' },
      geometry: { type: 'string', default: 'spherical' },
      /** Also project and serve this NVM namespace's block view (BlockReader clients read through it). */
      namespace: { type: 'string' },
      encoder: { type: 'string', default: process.env['HVS_NVM_ENCODER'] ?? 'sentence' },
      name: { type: 'string', default: 'hvs-projector' },
      /** Each replica on one host keeps its own checkpoint folder. */
      replica: { type: 'string', default: '0' },
      /** Hold only shard I of N of the collection (a deterministic partition of the vector id). */
      shard: { type: 'string' },
      /** What this replica's graph holds per vector (a setting of the process, recorded in its checkpoints). */
      quantization: { type: 'string', default: 'none' },
      'rescore-factor': { type: 'string' },
      'insert-threads': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  usageError((err as Error).message);
}
if (raw['help']) {
  process.stdout.write(USAGE);
  process.exit(0);
}
/** A bad argument is a usage error naming it (exit 2), not a crash once the stores open. */
type Parsed<T> = { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
function checked<T>(schema: { safeParse(v: unknown): Parsed<T> }, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const flag = issue.path
    .map(String)
    .join('.')
    .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return usageError(`--${flag}: ${issue.message}`);
}
const str = (k: string) => raw[k] as string | undefined;
const count = (k: string) => (str(k) === undefined ? undefined : Number(str(k)));
const hvsArgs = checked(HvsArgs, {
  collection: str('collection'),
  dimension: Number(str('dimension')),
  geometry: str('geometry'),
  quantization: str('quantization'),
  rescoreFactor: count('rescore-factor'),
  insertThreads: count('insert-threads'),
});
if (hvsArgs.quantization === 'binary' && hvsArgs.geometry !== 'spherical') {
  usageError(`--quantization: binary needs --geometry spherical, not ${hvsArgs.geometry}`);
}
const namespace = str('namespace') === undefined ? undefined : checked(NvmArgs, { namespace: str('namespace') }).namespace;
const encoderName = str('encoder')!;
if (encoderName !== 'sentence' && encoderName !== 'hashing') usageError(`--encoder: '${encoderName}' is not sentence or hashing`);
for (const k of ['name', 'replica']) if (!TOKEN.test(str(k)!)) usageError(`--${k}: '${str(k)}' is not 1-64 characters of A-Z a-z 0-9 _ -`);
let shard: Shard | undefined;
if (str('shard') !== undefined) {
  try {
    shard = parseShard(str('shard')!);
  } catch (err) {
    usageError(`--shard: ${(err as Error).message}`);
  }
}
const values = { 'data-dir': str('data-dir'), ...hvsArgs, namespace, encoder: encoderName, name: str('name')!, replica: str('replica')! };
/** Each shard (and each replica of it) on one host keeps its own checkpoint folder. */
const folder = `${values.collection}${shard ? `-s${shard.index}of${shard.count}` : ''}-r${values.replica}`;

/** Where clients reach a service of this replica: its request subjects and the queue group replicas share. */
function endpointsOf(s: Awaited<ReturnType<HVS['serveQueries']>>): {
  service: string;
  id: string;
  subjects: string[];
  queue: string | undefined;
} {
  const info = s.info();
  return { service: info.name, id: info.id, subjects: info.endpoints.map((e) => e.subject), queue: info.endpoints[0]?.queue_group };
}

/** A store that cannot open (a collection of another shape, NATS unreachable) is one line with its code, not a stack. */
function startupFailed(err: unknown): never {
  const { code, status } = err as { code?: unknown; status?: unknown };
  const typed = typeof code === 'string' && typeof status === 'number';
  log.error({ err }, 'projector could not start');
  process.stderr.write(`projector: ${typed ? `${code}: ` : ''}${(err as Error).message}\n`);
  process.exit(typed && status >= 400 && status < 500 ? 2 : 1);
}

const config = loadConfig(values['data-dir'] ? { dataDir: values['data-dir'] } : {});
const hvs = await HVS.open({
  storagePath: `${config.dataDir}/projector/${folder}`,
  ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
  collection: values.collection,
  dimension: values.dimension,
  geometry: values.geometry,
  quantization: values.quantization,
  ...(values.rescoreFactor === undefined ? {} : { rescoreFactor: values.rescoreFactor }),
  ...(values.insertThreads === undefined ? {} : { insertThreads: values.insertThreads }),
  ...(shard ? { shard } : {}),
}).catch(startupFailed);
const service = await hvs.serveQueries({ name: values.name }).catch(startupFailed);
const stats = hvs.stats();
const hvsListening = { natsUrl: stats.natsUrl, ...endpointsOf(service) };
log.info(
  {
    ...hvsListening,
    collection: values.collection,
    shard,
    quantization: values.quantization,
    position: stats.position,
    vectors: stats.vectors,
  },
  'serving the HVS projection',
);

let nvm: NVM | undefined;
let nvmListening: Record<string, unknown> | undefined;
if (values.namespace) {
  nvm = await NVM.open({
    storagePath: `${config.dataDir}/projector/nvm-${values.namespace}-r${values.replica}`,
    ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
    namespace: values.namespace,
    actor: 'system',
    encoder: values.encoder === 'hashing' ? hashingEncoder() : await defaultEncoder(),
  }).catch(startupFailed);
  nvmListening = endpointsOf(await nvm.serveQueries({ name: 'nvm-projector' }).catch(startupFailed));
  log.info({ ...nvmListening, natsUrl: stats.natsUrl, namespace: values.namespace, position: nvm.position }, 'serving the NVM block view');
}
process.stdout.write(
  JSON.stringify({
    ready: true,
    pid: process.pid,
    ...stats,
    ...hvsListening,
    // A shard says how it gets the log on this server (every event, today) and whether the server could partition it.
    ...(shard ? { shard, delivery: shardDelivery(stats.durability.serverVersion) } : {}),
    ...(nvm ? { nvmPosition: nvm.position, nvm: nvmListening } : {}),
  }) + '\n',
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'projector stopping: checkpoint, then drain');
  await hvs.snapshot().catch((err: unknown) => log.error({ err }, 'final checkpoint failed'));
  await hvs.close();
  await nvm?.close().catch((err: unknown) => log.error({ err }, 'closing the block view failed'));
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
