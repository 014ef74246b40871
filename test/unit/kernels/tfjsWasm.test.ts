import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { TFJS_WASM_VERSION, asHeap, heapMemory, missingWasmInternals, ownsBuffer, withSharedMemory } from '../../../src/core/kernels/tfjsWasm';

const root = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('the installed tfjs-backend-wasm is the release the adapter was written against (re-check tfjsWasm.ts when this fails)', () => {
  assert.equal(version_wasm, TFJS_WASM_VERSION, `tfjs-backend-wasm ${version_wasm} installed, src/core/kernels/tfjsWasm.ts knows ${TFJS_WASM_VERSION}`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(pkg.dependencies['@tensorflow/tfjs-backend-wasm'], TFJS_WASM_VERSION, 'package.json pins the adapter version');
});

test('an initialised wasm backend has every internal the adapter uses, and its heap is the shared memory', async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  const backend = tf.backend();
  assert.deepEqual(missingWasmInternals(backend), []);
  const heap = asHeap(backend);
  const memory = heapMemory(heap);
  assert.ok(memory instanceof WebAssembly.Memory);
  assert.ok(memory.buffer instanceof SharedArrayBuffer, 'the patched binary declares its memory shared');
  const t = tf.tensor1d([1, 2, 3, 4]);
  const offset = heap.getMemoryOffset(t.dataId);
  assert.deepEqual(Array.from(new Float32Array(memory.buffer, offset, 4)), [1, 2, 3, 4], 'the tensor lives on that heap');
  assert.equal(ownsBuffer(heap, t.dataId), true);
  const clone = t.clone();
  assert.equal(ownsBuffer(heap, t.dataId), false, 'a clone shares the buffer');
  tf.dispose([t, clone]);
});

test('missingWasmInternals names what a backend without the internals lacks', async () => {
  await initBackend('cpu');
  const missing = missingWasmInternals(tf.backend());
  for (const name of ['wasm.asm.memory', 'wasm.tfjs.registerTensor', 'getMemoryOffset', 'typedArrayFromHeap']) assert.ok(missing.includes(name), name);
});

test('withSharedMemory flips only the memory limits flag of a binary that defines one memory', () => {
  // (module (memory 1 2)): magic, version, memory section [count 1, flags 0x01, min 1, max 2].
  const bin = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 0x01, 1, 2]);
  const shared = withSharedMemory(bin);
  assert.ok(shared);
  assert.deepEqual(Array.from(shared), [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 0x03, 1, 2]);
  assert.ok(WebAssembly.validate(shared));
  assert.equal(withSharedMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0x00, 1])), undefined, 'no maximum: cannot be shared');
});

test('no source file but the adapter touches the wasm backend internals', () => {
  const adapter = join(root, 'src', 'core', 'kernels', 'tfjsWasm.ts');
  const internals = /\.asm\b|dataIdMap|dataIdNextNumber|wasm\.tfjs|as unknown as HeapBackend/;
  const offenders = sources(join(root, 'src'))
    .filter((f) => f !== adapter && internals.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(offenders, []);
});
