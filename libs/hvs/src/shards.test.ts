import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { parseShard, projectionQueue, projectionSubject, shardDelivery, shardOf } from './shards.js';

describe('shards', () => {
  it('partitions ids by FNV-1a 32 (as nats-server partition()), deterministically and about evenly', () => {
    // FNV-1a 32 of '' is the offset basis 0x811c9dc5, of 'a' 0xe40c292c.
    expect(shardOf('', 1 << 30)).toBe(0x811c9dc5 % (1 << 30));
    expect(shardOf('a', 1000)).toBe(0xe40c292c % 1000);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOf(`id-${i}`, 3)]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(shardOf('same', 7)).toBe(shardOf('same', 7));
  });

  it('parses i/N and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '0/0', '-1/3', 'a/b', '1', '1/999']) expect(() => parseShard(bad)).toThrow(InvalidArgumentError);
  });

  it('names a shard’s subjects and queue apart from the unsharded ones', () => {
    expect(projectionSubject('c', 'search')).toBe('hvsnvm.q.hvs.c.search');
    expect(projectionSubject('c', 'search', { index: 1, count: 3 })).toBe('hvsnvm.q.hvs.c.s1of3.search');
    expect(projectionQueue('c')).toBe('hvs-projector-c');
    expect(projectionQueue('c', { index: 1, count: 3 })).toBe('hvs-projector-c-s1of3');
  });

  it('says which delivery path the connected nats-server allows', () => {
    expect(shardDelivery('2.9.10')).toEqual({ path: 'whole-stream', serverVersion: '2.9.10', partitionable: false });
    expect(shardDelivery('2.10.0-RC.1')).toMatchObject({ serverVersion: '2.10.0-RC.1', partitionable: true });
    expect(shardDelivery('3.0.1').partitionable).toBe(true);
    expect(shardDelivery(null)).toEqual({ path: 'whole-stream', serverVersion: null, partitionable: false });
    expect(shardDelivery('unknown').serverVersion).toBeNull();
  });
});
