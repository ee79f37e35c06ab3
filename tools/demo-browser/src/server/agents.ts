import type { Fabric } from '@naylence/fabric';

/** The Node math agent's address. */
export const MATH_ADDRESS = 'math@fame.fabric';

/**
 * The math agent: `add`, and `askPage`, which calls `multiply` on a service a page serves (the
 * call from Node to an agent in the page).
 */
export async function serveMath(fabric: Fabric): Promise<void> {
  await fabric.serve(MATH_ADDRESS, {
    add: ({ x, y }: { x: number; y: number }) => x + y,
    askPage: async ({ address, x, y }: { address: string; x: number; y: number }) => ({
      product: await fabric.invoke<number>(address, 'multiply', { x, y }),
      askedBy: fabric.physicalPath,
    }),
  });
}
