// History routes: where the world stands (a cut to pass as ?asOf= later), and forks of the world.
import { z } from 'zod';
import { route, type Route } from './route.js';
import * as S from './schemas.js';

export const historyRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/v1/cut',
    tag: 'history',
    summary: 'Where the world stands now: { hvs, mail, nvm } stream positions, to pass as ?asOf= to any read route later',
    response: S.CutOut,
    handle: ({ api }) => api.cut(),
  }),
  route({
    method: 'POST',
    path: '/v1/forks',
    tag: 'history',
    summary: 'Fork the world: a writable world whose history up to asOf is this one (another encoder re-embeds the content)',
    body: S.ForkBody,
    status: 201,
    response: S.ForkOut,
    handle: ({ api, body, caller }) => api.fork(body, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/forks',
    tag: 'history',
    summary: 'The forks of this server: name, parent, where each branched',
    response: z.object({ forks: z.array(S.ForkOut) }),
    handle: async ({ api }) => ({ forks: await api.forks() }),
  }),
  route({
    method: 'DELETE',
    path: '/v1/forks/{name}',
    tag: 'history',
    summary: 'Delete a fork (its streams and checkpoints); its parent is never touched',
    params: S.ForkNameParams,
    status: 204,
    handle: ({ api, params, caller }) => api.deleteFork(params.name, caller),
  }),
  route({
    method: 'POST',
    path: '/v1/forks/{name}/promote',
    tag: 'history',
    summary: 'Point an alias (default: this world) at a fork: clients opening the alias get the fork',
    params: S.ForkNameParams,
    body: S.PromoteBody,
    response: z.object({ alias: z.string(), world: z.string() }),
    handle: ({ api, params, body, caller }) => api.promoteFork(params.name, body.alias, caller),
  }),
];
