import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One project per workspace package (packages/* and tools/*), so `vitest run --project core`
// runs one package and a bare `vitest run` runs everything with a single summary.
// Tests import sibling packages from source through the `@naylence/source` export condition.
const projectDirs = ['packages', 'tools'].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${group}/${d.name}/package.json`))
    .map((d) => `${group}/${d.name}`),
);

const conditions = ['@naylence/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@naylence/source'] } },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/')[1],
        root: dir,
        include: ['src/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});
