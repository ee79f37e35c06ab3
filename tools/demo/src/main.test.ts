import { NOOP_LOGGER } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('the demo', () => {
  it('runs every step as expected and reports it', async () => {
    const lines: string[] = [];
    const result = await main({ write: (line) => lines.push(line), logger: NOOP_LOGGER });
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    const report = lines.join('\n');
    expect(report).toContain('= 7');
    expect(report).toContain('= 0 1 1 2 3 5 8 13 21 34  (10 items)');
    expect(report).toContain('= 15');
    expect(report).toContain('RpcError -32603: division by zero');
    expect(report).toContain('NACK NO_ROUTE: Unroutable to nobody@fame.fabric');
    expect(report).toContain('AUTHENTICATION_FAILED');
    expect(lines.at(-1)).toMatch(/^All \d+ steps behaved as expected/);
  });
});
