// CPU time of a process, or of one thread of this process, from /proc (Linux): per-vector CPU figures of builds.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
export const TICKS_PER_SECOND = 100;

/** utime + stime in a /proc stat file, in ticks; NaN where there is none. */
function ticksOf(statFile: string): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/** CPU ticks of every thread of process `pid`. */
export function processTicks(pid: number): number {
  return ticksOf(`/proc/${pid}/stat`);
}

/** CPU ticks of this process's JS thread (the main thread: its tid is the pid). */
export function jsThreadTicks(): number {
  return ticksOf(`/proc/${process.pid}/task/${process.pid}/stat`);
}

/** CPU ticks of this process's threads, summed by thread name (/proc/self/task/<tid>/comm: V8 workers, libuv, …). */
export function ticksByThreadName(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${process.pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let name: string;
    try {
      name = readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (tid === String(process.pid)) name = 'JS thread';
    const ticks = ticksOf(`/proc/${process.pid}/task/${tid}/stat`);
    if (Number.isFinite(ticks)) out.set(name, (out.get(name) ?? 0) + ticks);
  }
  return out;
}
