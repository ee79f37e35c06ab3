import type { CliIo } from './main.js';

/** A CliIo that records what the command writes; `ready` resolves with the READY line's URL. */
export function recordingIo(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  let onReady!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (onReady = resolve));
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        out.push(text);
        const match = /^READY (\S+)$/m.exec(text);
        if (match) onReady(match[1]!);
      },
    },
    stderr: { write: (text: string) => err.push(text) },
    ...(signal !== undefined && { signal }),
  };
  return { io, ready, stdout: () => out.join(''), stderr: () => err.join('') };
}
