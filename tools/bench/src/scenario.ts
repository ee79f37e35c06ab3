/** What every benchmark scenario provides to the runner. */
export interface ScenarioOptions {
  /** Rounds to run; figures are medians over rounds. */
  readonly rounds: number;
  /** Short run that only proves the harness works (CI); its figures mean nothing. */
  readonly smoke: boolean;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** A goal from the issues, checked (never asserted) on the ratio ours / `vs`, or on ours itself (`self`). */
export interface Target {
  readonly vs: 'reference' | 'bare' | 'self';
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface Row {
  /** What was measured, e.g. `sequential RPC`. */
  readonly label: string;
  /** Unit of the figures, e.g. `ops/s`. */
  readonly unit: string;
  readonly ours: Summary;
  /** The reference implementation (@naylence/runtime 0.4.12) in the same run; absent when it gave no figure. */
  readonly reference?: Summary;
  /** The bare baseline in the same run (bare JSON, a bare `ws` relay, bare Node…). */
  readonly bare?: Summary;
  readonly target?: Target;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly rows: readonly Row[];
  readonly notes?: readonly string[];
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Needs the network (npm registry): left out of the smoke test. */
  readonly network?: boolean;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

/** ours / reference and ours / bare, and whether the target holds. */
export function ratios(row: Row): { vsReference?: number; vsBare?: number; met?: boolean } {
  const vsReference = row.reference ? row.ours.median / row.reference.median : undefined;
  const vsBare = row.bare ? row.ours.median / row.bare.median : undefined;
  const t = row.target;
  const r = t?.vs === 'reference' ? vsReference : t?.vs === 'bare' ? vsBare : row.ours.median;
  const met = t && r !== undefined && Number.isFinite(r) ? (t.op === '>=' ? r >= t.value : r <= t.value) : undefined;
  return {
    ...(vsReference !== undefined && { vsReference }),
    ...(vsBare !== undefined && { vsBare }),
    ...(met !== undefined && { met }),
  };
}
