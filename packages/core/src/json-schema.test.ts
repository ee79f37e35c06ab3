import { readRepoJson } from '@naylence-tools/conformance';
import { describe, expect, it } from 'vitest';
import { envelopeJsonSchema } from './json-schema.js';
import { FRAME_TYPES } from './wire/frames.js';

describe('docs/schema/envelope.schema.json', () => {
  it('is up to date (regenerate with `pnpm schema`)', () => {
    const onDisk = readRepoJson('docs/schema/envelope.schema.json');
    expect(onDisk).toEqual(envelopeJsonSchema());
  });

  it('describes all 22 frames', () => {
    expect(FRAME_TYPES).toHaveLength(22);
    const schema = envelopeJsonSchema() as { properties: { frame: { anyOf: { title: string }[] } } };
    expect(schema.properties.frame.anyOf.map((f) => f.title)).toEqual(FRAME_TYPES.map((t) => `${t}Frame`));
  });
});
