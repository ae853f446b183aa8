/**
 * Writes packages/action/schema/*.schema.json from the schemas in packages/action/src/schemas.ts, and
 * packages/gateway/gateway.schema.json (for editors) from the gateway's config schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionSchema, decisionSchema } from '../packages/action/src/schemas.js';
import { gatewayJsonSchema } from '../packages/gateway/src/config-schema.js';

const dir = join(import.meta.dirname, '../packages/action/schema');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'action.schema.json'), `${JSON.stringify(actionSchema, null, 2)}\n`);
writeFileSync(join(dir, 'decision.schema.json'), `${JSON.stringify(decisionSchema, null, 2)}\n`);
console.log(`wrote ${dir}/action.schema.json and decision.schema.json`);

const gateway = join(import.meta.dirname, '../packages/gateway/gateway.schema.json');
writeFileSync(gateway, `${JSON.stringify(gatewayJsonSchema(), null, 2)}\n`);
// Biome checks this file (unlike packages/action/schema): write it in Biome's layout.
execFileSync(join(import.meta.dirname, '../node_modules/.bin/biome'), ['format', '--write', gateway], {
  stdio: 'ignore',
});
console.log(`wrote ${gateway}`);
