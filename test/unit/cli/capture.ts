/** A CliIo that records what a command writes, for the CLI tests. */
import type { CliIo } from '../../../src/cli/cli';

export function capture(): { io: CliIo; out: () => string; err: () => string } {
  const o: string[] = [];
  const e: string[] = [];
  return { io: { stdout: { write: (s: string) => o.push(s) }, stderr: { write: (s: string) => e.push(s) } }, out: () => o.join(''), err: () => e.join('') };
}
