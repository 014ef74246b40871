/**
 * The WebAssembly JavaScript API (W3C "WebAssembly JavaScript Interface") as far as the generated kernels use it.
 * TypeScript declares it only in its DOM lib, which the Node targets (core, CLI, worker, extension host) do not
 * load; the webview and test configs get the full declarations from the DOM lib instead of this file.
 */
declare namespace WebAssembly {
  type ExportValue = Function | Memory;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number;
  type Imports = Record<string, Record<string, ImportValue>>;

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }

  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }

  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }

  class Instance {
    constructor(module: Module, importObject?: Imports);
    readonly exports: Exports;
  }

  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
