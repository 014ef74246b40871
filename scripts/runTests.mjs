// Runs the unit tests with Node's own test runner (Node 20 has no glob for --test): every test/unit/**/*.test.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}
const filter = process.argv[2];
const files = find('test/unit').filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) { console.error('no test files'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
