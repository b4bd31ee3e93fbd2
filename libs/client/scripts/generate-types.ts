// Generates src/schema.ts (the HTTP API's types) from the server's OpenAPI document with openapi-typescript.
// Run: `npm run generate -w libs/client`. src/schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '@hvs-nvm/server-app';

export const SCHEMA_FILE = fileURLToPath(new URL('../src/schema.ts', import.meta.url));

const HEADER = `// GENERATED from the server's OpenAPI document by scripts/generate-types.ts (openapi-typescript): do not edit.
// Regenerate with \`npm run generate -w libs/client\`.
`;

/** The text src/schema.ts should have, for the server's current document. */
export async function schemaTypes(): Promise<string> {
  const ast = await openapiTS((await openApiDocument()) as never, { alphabetize: true });
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(HEADER + astToString(ast), { ...options, filepath: SCHEMA_FILE });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, await schemaTypes());
  console.log(`wrote ${SCHEMA_FILE}`);
}
