// A lint rule for module boundaries: a lib or app is used only through its public face, `@hvs-nvm/<name>` (its
// src/index.ts), never by a deep import (`@hvs-nvm/hvs/src/x`) nor by a relative path out of its own package
// (`../../nvm/src/errors.js`, `../../../libs/hvs/src/x`). Resolved against the importing file's real location, so
// `../input.js` inside a package stays legal at any depth. A package may also declare an `internal` face
// (`@hvs-nvm/<name>/internal`, as nats.js has internal_mod.ts): what sibling libs may use and applications should not.
import { dirname, join, relative, resolve, sep } from 'node:path';

const SCOPE = '@hvs-nvm/';

/** The package folder (`<root>/libs/hvs`, `<root>/apps/server`) a file lies in, or undefined outside libs/apps. */
function packageRoot(file, workspaceRoot) {
  const parts = relative(workspaceRoot, file).split(sep);
  if ((parts[0] === 'libs' || parts[0] === 'apps') && parts.length > 2) return join(workspaceRoot, parts[0], parts[1]);
  return undefined;
}

function violation(specifier, file, workspaceRoot) {
  if (specifier.startsWith(SCOPE)) {
    const rest = specifier.slice(SCOPE.length);
    if (rest.includes('/') && !rest.endsWith('/package.json') && !/^[^/]+\/internal$/.test(rest)) {
      return `'${specifier}' reaches into a package: import its public face '${SCOPE}${rest.split('/')[0]}' instead.`;
    }
    return undefined;
  }
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(file), specifier);
  const inWorkspace = relative(workspaceRoot, target);
  const targetsLibs = inWorkspace.startsWith(`libs${sep}`) || inWorkspace.startsWith(`apps${sep}`);
  const own = packageRoot(file, workspaceRoot);
  if (own !== undefined) {
    const inside = relative(own, target);
    if (inside.startsWith('..'))
      return `'${specifier}' leaves ${relative(workspaceRoot, own)}: import the other package by its name (${SCOPE}<name>).`;
    return undefined;
  }
  if (targetsLibs)
    return `'${specifier}' reaches into ${inWorkspace.split(sep).slice(0, 2).join('/')} by path: import it by its name (${SCOPE}<name>).`;
  return undefined;
}

export function moduleBoundaries(workspaceRoot) {
  const rule = {
    meta: { type: 'problem', schema: [], docs: { description: 'libs and apps import each other only by package name' } },
    create(context) {
      const file = context.filename;
      const check = (node) => {
        const source = node.source;
        if (!source || typeof source.value !== 'string') return;
        const message = violation(source.value, file, workspaceRoot);
        if (message) context.report({ node: source, message });
      };
      return {
        ImportDeclaration: check,
        ExportNamedDeclaration: check,
        ExportAllDeclaration: check,
        ImportExpression: check,
      };
    },
  };
  return { rules: { 'module-boundaries': rule } };
}
