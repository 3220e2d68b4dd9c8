import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCatalog } from './catalog.js';
import { GENERATED_FILE, renderNodeTypes } from './generate-node-types.js';

test('dmclient-nodes.generated.ts is what the DDF generates (run generate-node-types.ts after a DDF change)', () => {
  const rendered = renderNodeTypes(loadCatalog());
  assert.equal(readFileSync(GENERATED_FILE, 'utf8'), rendered);
  assert.equal(rendered.match(/^ {4}'/gm)?.length, 109);
  assert.match(rendered, /^ {4}'Provider\/\{ProviderID\}\/Poll\/NumberOfFirstRetries': \{ format: 'int'; access: 'Add' \| 'Delete' \| 'Get' \| 'Replace' \};$/m);
});
