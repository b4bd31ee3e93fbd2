// Types of check-deps.mjs, for the workspace test.
export function packageOf(specifier: string): string | undefined;
export function undeclaredImports(root: string): { file: string; specifier: string; pkg: string }[];
export function packageProblems(root: string): { dir: string; problem: string }[];
export function fixPackages(root: string): string[];
