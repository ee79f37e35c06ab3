import { ratios, type Row, type ScenarioResult, type Summary } from './scenario.js';

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function cell(s: Summary | undefined): string {
  if (s === undefined) return '—';
  return s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '' : value >= 100 ? value.toFixed(0) : value.toPrecision(2);
}

function target(row: Row): string {
  const t = row.target;
  if (t === undefined) return '';
  const met = ratios(row).met;
  const subject = t.vs === 'self' ? 'ours' : t.vs === 'reference' ? 'ours/ref' : 'ours/bare';
  return `${subject} ${t.op === '>=' ? '≥' : '≤'} ${t.value} ${met === undefined ? '?' : met ? '✓' : '✗'}`;
}

/**
 * One Markdown table for the whole run (figures are `median (min–max)` over rounds; ratios are
 * ours / reference and ours / bare of the medians), then the scenarios' notes.
 */
export function formatResults(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'measure', 'unit', 'ours', 'reference', 'bare', 'ours/ref', 'ours/bare', 'target'];
  const lines = results.flatMap((result) =>
    result.rows.map((row, i) => {
      const r = ratios(row);
      return [
        i === 0 ? result.scenario : '',
        row.label,
        row.unit,
        cell(row.ours),
        cell(row.reference),
        cell(row.bare),
        ratio(r.vsReference),
        ratio(r.vsBare),
        target(row),
      ];
    }),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)];
  const notes = results.flatMap((r) => (r.notes ?? []).map((n) => `- ${r.scenario}: ${n}`));
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}
