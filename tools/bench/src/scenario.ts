/** What every benchmark scenario provides to the runner. */
export interface ScenarioOptions {
  /** Rounds to run; figures are medians over rounds. */
  readonly rounds: number;
  /** Short run that only proves the harness works (CI). */
  readonly smoke: boolean;
}

export interface Row {
  /** What was measured, e.g. `decode+validate`. */
  readonly label: string;
  /** Unit of the figures, e.g. `ops/s`. */
  readonly unit: string;
  readonly ours: { median: number; min: number; max: number };
  /** The baseline in the same run (bare JSON, the reference, a bare relay…). */
  readonly baseline?: { name: string; median: number; min: number; max: number };
  /** ours / baseline, oriented so that higher is better for us. */
  readonly ratio?: number;
  /** The target ratio from the issue, for the report. */
  readonly target?: string;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly rows: readonly Row[];
  readonly notes?: readonly string[];
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}
