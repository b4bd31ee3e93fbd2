// zod schemas of the namespace routes: a namespace in and out, and the `{name}` path parameter.
import { z } from 'zod';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { components } from './schemas.js';

export const NamespaceName = z
  .string()
  .regex(NAMESPACE_PATTERN, 'a namespace name is 1-64 characters of A-Z a-z 0-9 _ -')
  .describe('an NVM namespace name: 1-64 characters of A-Z a-z 0-9 _ -');

export const NamespaceParams = z.object({ name: NamespaceName });

export const CreateNamespaceBody = z.strictObject({ name: NamespaceName });

export const NamespaceOut = z.object({
  name: z.string(),
  blocks: z.number().int().describe('blocks in the namespace the caller may read'),
});

export const CreatedNamespaceOut = z.object({
  name: z.string(),
  created: z.boolean().describe('true (201): created now; false (200): it existed'),
});

export const NamespaceInfoOut = NamespaceOut.extend({
  position: z.number().int().describe('where the namespace’s own log stands: `?asOf=nvm:<position>` on its read routes sees this moment'),
});

components.add(NamespaceOut, { id: 'Namespace' });
