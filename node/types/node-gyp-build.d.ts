// Types for node-gyp-build, which ships none: it loads the prebuilt native binding of the package at `dir`.
declare module "node-gyp-build" {
  /** The binding's exports: for keccak, the constructor of its native sponge. */
  function loadBinding(dir: string): unknown;
  export = loadBinding;
}
