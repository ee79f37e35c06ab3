import { summarizeSome } from './measure.js';
import type { ImplName } from './roles/host.js';
import type { Row, Summary, Target } from './scenario.js';

const NONE: Summary = { median: NaN, min: NaN, max: NaN };

/** Per-round figures of each implementation, by metric; turned into table rows at the end. */
export class Samples {
  readonly #data = new Map<string, Map<ImplName, (number | undefined)[]>>();

  /** Records one round's figure; `undefined`, null or NaN means "no figure this round". */
  add(impl: ImplName, metric: string, value: number | null | undefined): void {
    let byImpl = this.#data.get(metric);
    if (!byImpl) this.#data.set(metric, (byImpl = new Map()));
    let values = byImpl.get(impl);
    if (!values) byImpl.set(impl, (values = []));
    values.push(value ?? undefined);
  }

  values(impl: ImplName, metric: string): readonly (number | undefined)[] {
    return this.#data.get(metric)?.get(impl) ?? [];
  }

  /** A row of `metric`: ours (NaN when ours gave nothing, so a smoke test notices), the reference and bare when measured. */
  row(label: string, unit: string, metric: string, target?: Target): Row {
    const reference = summarizeSome(this.values('reference', metric));
    const bare = summarizeSome(this.values('bare', metric));
    return {
      label,
      unit,
      ours: summarizeSome(this.values('ours', metric)) ?? NONE,
      ...(reference && { reference }),
      ...(bare && { bare }),
      ...(target && { target }),
    };
  }
}
