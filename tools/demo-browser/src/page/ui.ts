/** Shows the outcome of one step of a page in its `<li id=…>`: text, `data-state` and `data-value` (JSON, for tests). */
export function show(id: string, state: 'ok' | 'error' | 'pending', text: string, value?: unknown): void {
  const item = document.getElementById(id);
  if (item === null) throw new Error(`no element #${id}`);
  item.dataset.state = state;
  const output = item.querySelector('output');
  if (output !== null) output.textContent = text;
  if (value !== undefined) item.dataset.value = JSON.stringify(value);
}

/** Runs one step and shows its result, or its error (also on the console). */
export async function step(id: string, run: () => Promise<{ text: string; value?: unknown }>): Promise<void> {
  try {
    const { text, value } = await run();
    show(id, 'ok', text, value);
  } catch (error) {
    console.error(`step ${id} failed`, error);
    show(id, 'error', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}
