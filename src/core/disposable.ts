// `Symbol.dispose` typed for apps whose lib predates it (create-vite sets ES2022): profiles and
// histograms implement it so that `using` frees their wasm memory. Declared as lib.esnext and
// @types/node declare it, so the three agree wherever they meet.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export {};
