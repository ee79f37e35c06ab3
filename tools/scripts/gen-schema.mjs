#!/usr/bin/env node
// Writes docs/schema/envelope.schema.json from @naylence/core's TypeBox schemas (build first).
import { writeFileSync } from 'node:fs';
import { envelopeJsonSchema } from '@naylence/core';

const target = new URL('../../docs/schema/envelope.schema.json', import.meta.url);
writeFileSync(target, JSON.stringify(envelopeJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${target.pathname}\n`);
