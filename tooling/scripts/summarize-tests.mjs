// Adds up the vitest JSON reports of every package and prints one closing line,
// "N passed, N failed", so that a run that ran no test is visible. Failed tests are listed with
// the start of their messages just above that line: CI keeps only the tail of what a run printed.
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
const failures = [];
for (const { name, file } of reports) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const p = report.numPassedTests ?? 0;
  const f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  console.log(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
  failures.push(...failuresOf(name, report));
}
if (failures.length > 0) {
  console.log('');
  console.log('failed:');
  for (const line of failures) console.log(line);
}
console.log('');
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (reports.length === 0 || passed === 0 || failed > 0) process.exit(1);

/** "package › file › test name" and the first lines of each message, for every failed test. */
function failuresOf(name, report) {
  const lines = [];
  for (const file of report.testResults ?? []) {
    const relative = String(file.name ?? '')
      .split(`/${name}/`)
      .pop();
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    // A file that failed to load has no failed test, only a message.
    if (failedTests.length === 0 && file.status === 'failed' && file.message) {
      lines.push(`  ${name} › ${relative}`, ...indent(file.message));
    }
    for (const test of failedTests) {
      lines.push(`  ${name} › ${relative} › ${test.fullName ?? test.title}`);
      for (const message of test.failureMessages ?? []) lines.push(...indent(message));
    }
  }
  return lines;
}

function indent(message) {
  return String(message)
    .split('\n')
    .slice(0, 12)
    .map((line) => `      ${line}`);
}
