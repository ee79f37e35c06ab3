const setImmediateFn = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** Run `fn` after pending I/O, like a socket read: setImmediate on Node, a zero-delay timer elsewhere. */
export const scheduleMacrotask: (fn: () => void) => void = setImmediateFn
  ? (fn) => {
      setImmediateFn(fn);
    }
  : (fn) => {
      setTimeout(fn, 0);
    };
