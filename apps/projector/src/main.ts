// apps/projector: runs the HVS projection of one collection (and, with --namespace, the NVM block view of one
// namespace) as its own process and serves queries over NATS. Facts live in both: their vectors in the collection,
// the shared knowledge-base block in the namespace.
import { parseArgs } from 'node:util';
import { HVS } from '@hvs-nvm/hvs';
import { NVM } from '@hvs-nvm/nvm';
import { defaultEncoder, hashingEncoder } from '@hvs-nvm/encoders';
import { createLogger, loadConfig } from '@hvs-nvm/runtime';

const log = createLogger('projector');
const { values } = parseArgs({
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
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: projector [--data-dir DIR] [--replica ID] [--collection NAME] [--dimension N] [--geometry euclidean|spherical|hyperboloid]\n' +
      '                 [--namespace NVM_NAMESPACE [--encoder sentence|hashing]]\n' +
      'Runs the HVS projection as a NATS micro service (queue group hvs-projector-<collection>); with --namespace, also the\n' +
      'NVM block view (queue group nvm-projector-<namespace>). Honours NATS_URL.\n',
  );
  process.exit(0);
}

const config = loadConfig(values['data-dir'] ? { dataDir: values['data-dir'] } : {});
const hvs = await HVS.open({
  storagePath: `${config.dataDir}/projector/${values.collection}-r${values.replica}`,
  ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
  collection: values.collection,
  dimension: Number(values.dimension),
  geometry: values.geometry as 'euclidean' | 'spherical' | 'hyperboloid',
});
const service = await hvs.serveQueries({ name: values.name });
let nvm: NVM | undefined;
if (values.namespace) {
  nvm = await NVM.open({
    storagePath: `${config.dataDir}/projector/nvm-${values.namespace}-r${values.replica}`,
    ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
    namespace: values.namespace,
    actor: 'system',
    encoder: values.encoder === 'hashing' ? hashingEncoder() : await defaultEncoder(),
  });
  await nvm.serveQueries({ name: 'nvm-projector' });
  log.info({ namespace: values.namespace, position: nvm.position }, 'serving the NVM block view');
}
const info = service.info();
log.info({ id: info.id, collection: values.collection, ...hvs.stats() }, 'projector serving');
process.stdout.write(
  JSON.stringify({ ready: true, id: info.id, pid: process.pid, ...hvs.stats(), ...(nvm ? { nvmPosition: nvm.position } : {}) }) + '\n',
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
