// Types of module-boundaries.mjs, for the workspace test.
import type { ESLint } from 'eslint';
export function moduleBoundaries(workspaceRoot: string): ESLint.Plugin;
