/**
 * What a CLI command is (`CliCommand`), where it writes (`CliIo`), and the argument helpers every command uses. The
 * dispatcher (cli.ts) imports the commands; the commands import only this and the option modules, never each other.
 */

/** Where a command writes; process.stdout/stderr, or test doubles. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(chunk: string): unknown };
}

export interface CliCommand {
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A wrong flag or value: printed with a hint to use --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `parseArgs` option specs for flags that take a value (`--name VALUE`). */
export function valueOptions<const N extends string>(...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>;
}

/** `parseArgs` option specs for on/off flags (`--name`). */
export function flagOptions<const N extends string>(...names: N[]): Record<N, { type: 'boolean' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as Record<N, { type: 'boolean' }>;
}

/** Runs an argument parser, turning its errors (unknown flag, missing value) into `UsageError`s. */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** How an option value the parser gave is quoted back in a usage error. */
export function optionText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An integer option in `[min, max]`, or undefined when absent. */
export function intOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer ${range}, got "${optionText(value)}"`);
  return n;
}
