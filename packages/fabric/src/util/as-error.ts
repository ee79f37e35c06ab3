/** `value` if it is an Error, else an Error describing it (for promise rejections). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
