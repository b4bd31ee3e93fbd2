// NVM semantic query over block content.
import { describe, expect, it } from 'vitest';
import { BlockClass } from './index.js';
import { useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open } = useNvmTestServer();

describe('NVM semantic query', () => {
  it('ranks the block about the query first on a small corpus (default sentence encoder)', async () => {
    const { defaultEncoder } = await import('@hvs-nvm/encoders');
    await using nvm = await open(freshNamespace(), { encoder: await defaultEncoder() });
    const corpus: Record<string, string> = {
      geometry: 'HyperSync uses hyperbolic geometry to embed hierarchies such as trees and taxonomies.',
      cooking: 'Preheat the oven, knead the dough and bake the bread for forty minutes.',
      football: 'The striker scored twice in the second half and the team won the championship.',
      weather: 'Heavy rain and strong winds are expected tomorrow along the northern coast.',
      finance: 'The central bank raised interest rates to curb inflation this quarter.',
      music: 'She played a violin concerto with the symphony orchestra last night.',
      gardening: 'Water the tomato plants every morning and add compost to the soil.',
      space: 'The rocket launched a satellite into orbit around the Earth.',
    };
    for (const [name, content] of Object.entries(corpus)) {
      await nvm.createBlock({
        name,
        blockClass: name === 'space' ? BlockClass.KNOWLEDGE_GRAPH : BlockClass.DOCUMENTATION,
        content,
      });
    }
    const cases: [string, string][] = [
      ['Which geometry is good for hierarchical data?', 'geometry'],
      ['How do I make bread?', 'cooking'],
      ['Who won the soccer match?', 'football'],
      ['Will it rain tomorrow?', 'weather'],
      ['What did the orchestra perform?', 'music'],
    ];
    for (const [query, expected] of cases) {
      const hits = await nvm.semanticQuery(query, { k: 3 });
      expect(hits).toHaveLength(3);
      expect(hits[0]!.block.name, query).toBe(expected);
      expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
    }
    const onlyKg = await nvm.semanticQuery('How do I make bread?', {
      blockClass: BlockClass.KNOWLEDGE_GRAPH,
    });
    expect(onlyKg.map((h) => h.block.name)).toEqual(['space']);
    // An update is visible to the very next query (read-your-writes for the index too).
    const cooking = (await nvm.getBlockByName('cooking'))!;
    await nvm.updateBlock(cooking.id, 'Rockets and satellites travel through outer space.');
    expect((await nvm.semanticQuery('How do I make bread?', { k: 1 }))[0]!.block.name).not.toBe('cooking');
  });
});
