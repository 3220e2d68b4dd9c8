/**
 * `npm run bench`: every benchmark area in one run, so figures and ratios printed side by side come from the same
 * machine state. Each area is a module in this folder exporting `run()`, runnable alone as well.
 * Benchmarks are never tests: shared machines are noisy, so nothing here asserts a wall-clock limit.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const areas = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .sort();

console.log(`dmclient-conformance benchmarks: node ${process.version}, ${areas.length} area(s)\n`);
for (const area of areas) {
  const module = (await import(pathToFileURL(`${here}/${area}`).href)) as { run?: () => Promise<void> };
  if (typeof module.run !== 'function') {
    console.error(`${area}: exports no run() function`);
    process.exitCode = 1;
    continue;
  }
  console.log(`== ${area.replace(/\.bench\.ts$/, '')}`);
  await module.run();
  console.log('');
}
