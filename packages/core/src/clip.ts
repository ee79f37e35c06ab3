/** The most characters of one peer-supplied string that an error message or a log line carries. */
export const MAX_PEER_TEXT = 100;

const NOT_PRINTABLE = /[^\x20-\x7e]/g;

/**
 * `text` as it may appear in a log line or an error message when a peer chose it: printable
 * ASCII only (anything else becomes `?`, so it cannot forge lines or grow when escaped) and at
 * most `max` characters, with the full length noted when cut. Bounded output whatever the input.
 */
export function clipText(text: string, max: number = MAX_PEER_TEXT): string {
  const head = text.length > max ? text.slice(0, max) : text;
  const clean = head.replace(NOT_PRINTABLE, '?');
  return text.length > max ? `${clean}…(${text.length} chars)` : clean;
}
