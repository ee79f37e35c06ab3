// Layering of the @naylence packages, enforced on every build (`pnpm layers`). The graph is
// explained in docs/architecture.md; change both together.
/** Which workspace packages each package's runtime code may import. */
const ALLOWED = {
  core: [],
  fabric: ['core'],
  'transport-ws': ['core'],
  'transport-http': ['core'],
  'transport-inpage': ['core'],
  security: ['core'],
  admission: ['core', 'security'],
  'fastify-plugins': ['core', 'security', 'admission', 'transport-ws', 'transport-http'],
  // The composition root: the `naylence` command wires the fabric, transports and security.
  cli: ['core', 'fabric', 'security', 'admission', 'transport-ws', 'transport-http', 'fastify-plugins'],
};

const NOT_TESTS = '\\.test(\\.util)?\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules and packages must not depend on each other in a cycle.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-only-typebox',
      severity: 'error',
      comment: '@naylence/core depends on nothing but @sinclair/typebox (and no Node built-ins: it runs in browsers).',
      from: { path: '^packages/core/src/', pathNot: NOT_TESTS },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'],
        pathNot: '@sinclair/typebox',
      },
    },
    ...Object.entries(ALLOWED).map(([pkg, allowed]) => ({
      name: `layering-${pkg}`,
      severity: 'error',
      comment: `@naylence/${pkg} may only import ${allowed.length ? allowed.map((a) => `@naylence/${a}`).join(', ') : 'no other workspace package'}.`,
      from: { path: `^packages/${pkg}/src/`, pathNot: NOT_TESTS },
      to: { path: '^(packages|tools)/', pathNot: [`^packages/${pkg}/`, ...allowed.map((a) => `^packages/${a}/`)] },
    })),
    {
      name: 'no-deep-imports',
      severity: 'error',
      comment:
        'Import another package through its name and exports map, never a file inside it (its entry, or a test-only `testing` entry).',
      from: { path: '^(packages|tools)/([^/]+)/' },
      to: {
        path: '^(packages|tools)/',
        pathNot: ['^(packages|tools)/$2/', '^(packages|tools)/[^/]+/src/index\\.ts$', '^packages/[^/]+/src/testing/index\\.ts$'],
      },
    },
    {
      name: 'no-testing-entry-at-runtime',
      severity: 'error',
      comment: 'A test-only entry (`@naylence/<pkg>/testing`, not published) is for tests and tools, never for runtime code of a package.',
      from: { path: '^packages/([^/]+)/src/', pathNot: [NOT_TESTS, '^packages/[^/]+/src/testing/'] },
      to: { path: '^packages/[^/]+/src/testing/' },
    },
    {
      name: 'no-dev-deps-at-runtime',
      severity: 'error',
      comment: 'Runtime code of a package must not import its devDependencies.',
      from: { path: '^packages/[^/]+/src/', pathNot: NOT_TESTS },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-undeclared-deps',
      severity: 'error',
      comment: 'Runtime code must declare what it imports in its own package.json.',
      from: { path: '^packages/[^/]+/src/', pathNot: NOT_TESTS },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', 'tools/conformance/vectors'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@naylence/source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
