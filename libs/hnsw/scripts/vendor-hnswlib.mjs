// Copies hnswlib's headers (with their LICENSE) from the pinned hnswlib-node devDependency into src/native/hnswlib
// before `npm pack`, and removes the copy after it (`--clean`). The tarball then builds its addon on install without
// hnswlib-node, whose own addon a consumer would otherwise compile for nothing; binding.gyp prefers this copy.
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'native', 'hnswlib');
rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  const source = join(dirname(createRequire(import.meta.url).resolve('hnswlib-node/package.json')), 'src', 'hnswlib');
  cpSync(source, target, { recursive: true });
}
