/**
 * `latent-explorer <command> [options]`: a small dispatcher over `commands`. A command module exports a
 * `CliCommand`; registering one is two lines (an import and an entry in `commands`).
 */
import { DatasetError } from '../core/data/dataset';
import { FileExistsError } from '../core/export/atomicWrite';
import { trainCommand } from './commands/train';
import { embedCommand } from './commands/embed';
import { clusterCommand } from './commands/cluster';
import { exportCommand } from './commands/export';
import { inspectCommand } from './commands/inspect';
import type { CliCommand, CliIo } from './command';
import { UsageError } from './command';
import { scoreCommand } from './commands/score';

export type { CliCommand, CliIo } from './command';
export { UsageError } from './command';

export const commands: Record<string, CliCommand> = {
  train: trainCommand,
  embed: embedCommand,
  cluster: clusterCommand,
  export: exportCommand,
  inspect: inspectCommand,
  score: scoreCommand,
};

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const list = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: latent-explorer <command> [options]', '', 'Commands:', ...list, '', 'Run `latent-explorer <command> --help` for the options of a command.', ''].join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const name = argv.at(0);
  const rest = argv.slice(1);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr.write(`latent-explorer: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`latent-explorer ${name}: ${e.message}\nRun \`latent-explorer ${name} --help\` for usage.\n`);
      return 2;
    }
    if (e instanceof FileExistsError) {
      io.stderr.write(`latent-explorer ${name}: ${e.message}; pass --force to replace it\n`);
      return 1;
    }
    if (e instanceof DatasetError) {
      io.stderr.write(`latent-explorer: ${e.message}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(`latent-explorer ${name}: ${message}\n`);
    if (process.env.LATENT_EXPLORER_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `latent-explorer embed ... | head`: the reader went away; stop quietly like other Unix tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`latent-explorer: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
