// The dashboard's read-only views: agents with their mailboxes, the logs' streams and lag, a 2-D map of the vectors.
import * as I from './inspect.js';
import { route, type Route } from './route.js';

export const inspectionRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/v1/agents',
    tag: 'operations',
    summary: 'Every known agent with its mailbox depth, pending and dead-lettered counts and latest messages (an agent: only itself)',
    query: I.AgentsQuery,
    response: I.AgentsOut,
    handle: ({ api, query, caller }) => I.listAgents(api.deps, caller, query.latest),
  }),
  route({
    method: 'GET',
    path: '/v1/streams',
    tag: 'operations',
    summary: 'The logs’ streams (messages, bytes, consumers), the projections’ positions and lag, the durability in force (operator only)',
    response: I.StreamsOut,
    handle: ({ api, caller }) => I.listStreams(api.deps, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/vectors/map',
    tag: 'vectors',
    summary: 'A uniform random sample of the stored vectors on a 2-D map (Poincaré disk for hyperboloid, else PCA), with metadata',
    query: I.VectorMapQuery,
    response: I.VectorMapOut,
    handle: ({ api, query }) => I.mapVectors(api.deps, query.limit, query.seed),
  }),
];
