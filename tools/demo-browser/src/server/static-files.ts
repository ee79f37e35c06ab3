import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * Every file under `dir`, read once, by URL path (`/index.html`, `/assets/demo.js`; `/` is
 * `/index.html`). Serving from this map means no request path ever reaches the file system.
 * @throws Error when `dir` does not exist (build the pages first)
 */
export function loadStaticFiles(dir: string): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else
        files.set(`/${rel}`, {
          type: TYPES[path.extname(entry.name)] ?? 'application/octet-stream',
          body: readFileSync(path.join(dir, rel)),
        });
    }
  };
  walk('');
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  return files;
}
