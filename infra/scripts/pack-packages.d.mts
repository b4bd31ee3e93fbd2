// Types of pack-packages.mjs, for the pack-install test.
export function publishedPackages(root: string): string[];
