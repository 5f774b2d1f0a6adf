// `skopeo-ts plugins`: which transports were found, from which packages, and where; plus the
// first-party transports that are not installed, or not released yet (table only). Nothing is imported.
import type { App } from '../app.js';
import { describeSource } from '../discovery/candidate.js';
import {
  firstPartyPackageFor,
  firstPartyTransportNames,
  isReleasedFirstPartyPackage,
} from '../discovery/first-party.js';
import type { DiscoveredTransport } from '../discovery/registry.js';

interface PluginRow {
  transport: string;
  package: string;
  version: string;
  apiVersion: number | null;
  source: string;
  location: string;
  active: boolean;
  problem: string | null;
}

function toRow(entry: DiscoveredTransport): PluginRow {
  const { candidate } = entry;
  return {
    transport: entry.transport,
    package: candidate.packageName,
    version: candidate.packageVersion,
    apiVersion: candidate.apiVersion ?? null,
    source: candidate.source.kind === 'explicit' ? 'explicit' : candidate.source.kind,
    location: candidate.location,
    active: entry.active,
    problem: entry.problem ?? null,
  };
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runPlugins(app: App, opts: Readonly<Record<string, unknown>>): Promise<void> {
  const registry = await app.registry();
  const discovered = await registry.discovered();
  const rows = discovered.map(toRow);
  if (opts.format === 'json') {
    app.io.stdout.write(`${JSON.stringify(rows, null, 4)}\n`);
    return;
  }
  const lines: string[][] = [['TRANSPORT', 'PACKAGE', 'VERSION', 'API', 'FOUND', 'NOTE']];
  for (const entry of discovered) {
    const row = toRow(entry);
    lines.push([
      row.transport,
      row.package,
      row.version === '' ? '-' : row.version,
      row.apiVersion === null ? '-' : String(row.apiVersion),
      `${describeSource(entry.candidate)}: ${row.location}`,
      row.problem ?? '',
    ]);
  }
  let text = discovered.length === 0 ? 'No transports found.\n' : `${table(lines)}\n`;
  const found = new Set(discovered.filter((entry) => entry.active).map((entry) => entry.transport));
  const missing = firstPartyTransportNames()
    .filter((name) => !found.has(name))
    .map((name) => ({ name, packageName: firstPartyPackageFor(name) ?? '' }));
  const installable = missing.filter(({ packageName }) => isReleasedFirstPartyPackage(packageName));
  const planned = missing.filter(({ packageName }) => !isReleasedFirstPartyPackage(packageName));
  if (installable.length > 0) {
    text += '\nNot installed:\n';
    text += `${table(installable.map(({ name, packageName }) => [`  ${name}`, `npm install -g ${packageName}`]))}\n`;
  }
  if (planned.length > 0) {
    text += '\nPlanned, not available in this release:\n';
    text += `${table(planned.map(({ name, packageName }) => [`  ${name}`, packageName]))}\n`;
  }
  app.io.stdout.write(text);
}
