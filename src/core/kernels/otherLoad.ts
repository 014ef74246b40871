/**
 * How busy the machine's cores are with other processes: the CPU time every core spent outside idle (Linux
 * `/proc/stat`) minus what this process used (`process.cpuUsage`, every thread), per second of wall time, over the
 * last sampling window. The compute pool's workers spin between jobs only where nothing else wants the cores.
 */
import { readFileSync } from 'node:fs';

/** Shortest window between two samples: a sample costs a file read, and /proc/stat counts in 10 ms ticks. */
const WINDOW_MS = 250;
/** Clock ticks per second of /proc/stat (USER_HZ: 100 on every Linux build Node supports). */
const USER_HZ = 100;

interface Sample {
  wallMs: number;
  /** Non-idle CPU seconds of every core (user, nice, system, irq, softirq, steal). */
  busy: number;
  /** CPU seconds of this process. */
  own: number;
}

let last: Sample | undefined;
let cores: number | undefined;
/** /proc/stat was unreadable once: not Linux (or no procfs); stop trying. */
let unavailable = false;

function sample(wallMs: number): Sample | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'latin1').slice(0, 256).split('\n', 1)[0];
  } catch {
    unavailable = true;
    return undefined;
  }
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 8 || f.some((v) => !Number.isFinite(v))) {
    unavailable = true;
    return undefined;
  }
  const u = process.cpuUsage();
  return { wallMs, busy: (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / USER_HZ, own: (u.user + u.system) / 1e6 };
}

/**
 * Cores' worth of CPU that other processes used over the last window (at least WINDOW_MS long; the previous value
 * until a new window has passed), or undefined before the first window and where it cannot be known.
 */
export function otherProcessCores(nowMs = performance.now()): number | undefined {
  if (unavailable) return undefined;
  if (last !== undefined && nowMs - last.wallMs < WINDOW_MS) return cores;
  const s = sample(nowMs);
  if (s === undefined) return undefined;
  if (last !== undefined) cores = Math.max(0, (s.busy - last.busy - (s.own - last.own)) / ((s.wallMs - last.wallMs) / 1000));
  last = s;
  return cores;
}
