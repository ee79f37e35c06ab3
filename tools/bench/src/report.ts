import type { ScenarioResult } from './scenario.js';

function fmt(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** One plain-text table per scenario. */
export function formatResult(result: ScenarioResult): string {
  const header = ['measure', 'unit', 'ours (median, min–max)', 'baseline', 'baseline (median, min–max)', 'ratio', 'target'];
  const lines = result.rows.map((row) => [
    row.label,
    row.unit,
    `${fmt(row.ours.median)} (${fmt(row.ours.min)}–${fmt(row.ours.max)})`,
    row.baseline?.name ?? '',
    row.baseline ? `${fmt(row.baseline.median)} (${fmt(row.baseline.min)}–${fmt(row.baseline.max)})` : '',
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [`## ${result.scenario}`, render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)];
  for (const note of result.notes ?? []) out.push(`note: ${note}`);
  return out.join('\n');
}
