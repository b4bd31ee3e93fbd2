// The committed OpenAPI types are the server's: regenerating them from its current document changes nothing.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCHEMA_FILE, schemaTypes } from '../scripts/generate-types.js';

it('src/schema.ts is up to date with the server’s OpenAPI document (else: npm run generate -w libs/client)', async () => {
  const fresh = await schemaTypes();
  expect(fresh).toContain("'/v1/vectors/search'");
  expect(readFileSync(SCHEMA_FILE, 'utf8') === fresh, 'libs/client/src/schema.ts is stale: run `npm run generate -w libs/client`').toBe(
    true,
  );
});
