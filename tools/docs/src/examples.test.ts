/**
 * Docs that compile: every ```ts block in docs/ and in the READMEs is type-checked against the
 * built packages and then run as a program (it must exit 0). A block whose first line is
 * `// doc: typecheck-only` is only type-checked.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const out = path.resolve(here, '../.examples');

function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
    );
  const packages = readdirSync(path.join(root, 'packages')).map((p) => path.join('packages', p, 'README.md'));
  return ['README.md', ...walk('docs'), ...packages];
}

interface Example {
  readonly name: string;
  readonly file: string;
  readonly run: boolean;
}

function collect(): Example[] {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const examples: Example[] = [];
  for (const md of markdownFiles()) {
    let text: string;
    try {
      text = readFileSync(path.join(root, md), 'utf8');
    } catch {
      continue;
    }
    let index = 0;
    for (const match of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const code = match[1]!;
      const line = text.slice(0, match.index).split('\n').length;
      const name = `${md}:${line}`;
      const file = path.join(out, `${md.replace(/[/.]/g, '_')}_${index++}.ts`);
      // Each block is a module of its own.
      writeFileSync(file, code.includes('import ') || code.includes('export ') ? code : `${code}\nexport {};\n`);
      examples.push({ name, file, run: !code.trimStart().startsWith('// doc: typecheck-only') });
    }
  }
  return examples;
}

const examples = collect();

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
};

function run(file: string): Promise<{ code: number | null; output: string }> {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const mjs = file.replace(/\.ts$/, '.mjs');
  writeFileSync(mjs, js);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mjs], { cwd: out, env: { ...process.env, FAME_LOG_LEVEL: 'error' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('documentation examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  const program = ts.createProgram(
    examples.map((e) => e.file),
    options,
  );
  it.each(examples.map((e) => [e.name, e] as const))('%s type-checks', (_name, example) => {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(example.file));
    const messages = diagnostics.map((d) => {
      const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1 };
      return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(messages).toEqual([]);
  });

  it.each(examples.filter((e) => e.run).map((e) => [e.name, e] as const))('%s runs', async (_name, example) => {
    const { code, output } = await run(example.file);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  });
});
