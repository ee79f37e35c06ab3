/** The `math@fame.fabric` service the example agents serve: `add` and a `fib` stream. */
export const mathService = {
  add: ({ x, y }: { x: number; y: number }) => x + y,
  async *fib({ n }: { n: number }) {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) {
      yield a;
      [a, b] = [b, a + b];
    }
  },
};
