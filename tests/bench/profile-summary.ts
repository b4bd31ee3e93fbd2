// Summarises a V8 .cpuprofile: top functions by self time (and by file), to see where a scenario spends its time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx tests/bench/profile-summary.ts FILE.cpuprofile [TOP=40]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node from samples × their time deltas (µs).
const self = new Map<number, number>();
if (profile.samples && profile.timeDeltas) {
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
} else {
  const per = (profile.endTime - profile.startTime) / profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  for (const n of profile.nodes) self.set(n.id, (n.hitCount ?? 0) * per);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  const m = /(node_modules\/(?:@[^/]+\/)?[^/]+|libs\/[^/]+|apps\/[^/]+|tests\/[^/]+)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return url.replace(/^file:\/\//, '') || '(native)';
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const f = n.callFrame;
  const where = shortUrl(f.url);
  const key = `${f.functionName || '(anonymous)'}  ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  byFile.set(where, (byFile.get(where) ?? 0) + t);
  const pkg =
    /^(node_modules\/(?:@[^/]+\/)?[^/]+|libs\/[^/]+|tests\/[^/]+)/.exec(where)?.[1] ??
    (f.url.startsWith('node:') ? 'node:internal' : where);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
}

function print(title: string, m: Map<string, number>, count: number): void {
  console.log(`\n${title}`);
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [k, t] of rows) console.log(`${(t / 1000).toFixed(0).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('top functions by self time', byFunction, top);
print('by file', byFile, 25);
print('by package', byPackage, 15);
