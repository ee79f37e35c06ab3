/** Physical paths as the key rules compare them (protocol-security §4.2). */

/** Whether `path` is `root` or a node below it (`/a/b` is below `/a`, `/ab` is not). */
export function isAtOrBelow(path: string, root: string): boolean {
  // Paths rarely end with a slash: no regular expression unless one does (every routed frame asks).
  const trim = (p: string) => (p.length > 1 && p.endsWith('/') ? p.replace(/\/+$/, '') : p);
  const a = trim(path);
  const b = trim(root);
  return a === b || a.startsWith(b === '/' ? '/' : `${b}/`);
}
