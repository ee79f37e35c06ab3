import { EnvelopeSchema } from './wire/envelope.js';

/**
 * The envelope (with all 22 frames) as a plain JSON Schema (draft 2020-12) document, for
 * validators and code generators in other languages. `docs/schema/envelope.schema.json` is
 * this document; a test keeps it current.
 */
export function envelopeJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(EnvelopeSchema)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://naylence.dev/schema/fame/envelope.schema.json',
    ...plain,
  };
}
