// Adds up the vitest JSON reports of every package and prints one closing line,
// "N passed, N failed", so that a run that ran no test is visible.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const reports = [];
for (const area of ['packages', 'apps', 'tooling', 'examples']) {
  let entries = [];
  try {
    entries = readdirSync(join(root, area));
  } catch {
    continue;
  }
  for (const entry of entries) {
    const file = join(root, area, entry, '.test-results.json');
    try {
      if (statSync(file).isFile()) reports.push({ name: `${area}/${entry}`, file });
    } catch {}
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const { name, file } of reports) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const p = report.numPassedTests ?? 0;
  const f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  console.log(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
}
console.log('');
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (reports.length === 0 || passed === 0 || failed > 0) process.exit(1);
