// `skopeo-ts inspect` against skopeo 1.9.3 on the testkit's OCI fixtures: every field 1.9.3
// prints must be equal, byte for byte where it should be; LayersData (current skopeo, not 1.9.3)
// must agree with the manifest.
import { join } from 'node:path';
import {
  type BuiltImage,
  type BuiltIndex,
  buildMultiArchIndex,
  buildOciImage,
  fixtures,
  makeTempDir,
  runSkopeo,
  skopeoInspect,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

interface InspectJson {
  Name?: string;
  Digest: string;
  RepoTags: string[];
  Created: string;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Os: string;
  Layers: string[];
  LayersData: Array<{
    MIMEType: string;
    Digest: string;
    Size: number;
    Annotations: Record<string, string> | null;
  }>;
  Env: string[] | null;
}

let tmp: TempDir;
let single: BuiltImage;
let layered: BuiltImage;
let multiArch: BuiltIndex;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-inspect');
  single = await buildOciImage(join(tmp.path, 'single'), fixtures.single(), { tag: 'v1' });
  const spec = fixtures.multiLayer();
  // Characters Go's JSON escapes (HTML), and a timestamp with an offset and nanoseconds.
  spec.labels = { 'a&b': '<x>', quote: 'say "hi"\n', unicode: 'é\u2028' };
  spec.created = '2023-05-06T07:08:09.123450+02:00';
  layered = await buildOciImage(join(tmp.path, 'layered'), spec, { tag: 'latest' });
  multiArch = await buildMultiArchIndex(join(tmp.path, 'multi-arch'), fixtures.multiArch(), { tag: 'all' });
});

afterAll(async () => {
  await tmp.cleanup();
});

async function inspectBoth(reference: string, args: string[] = []) {
  const ours = await runCli(['inspect', ...args, reference], { cwd: tmp.path });
  expect(ours.exitCode, ours.stderr).toBe(0);
  const theirs = await runSkopeo(['inspect', ...args, reference]);
  expect(theirs.exitCode, theirs.stderr).toBe(0);
  return { ours, theirs };
}

describe('skopeo-ts inspect', () => {
  for (const name of ['single', 'layered'] as const) {
    it(`prints every field skopeo 1.9.3 prints, identically (${name})`, async () => {
      const image = name === 'single' ? single : layered;
      const { ours, theirs } = await inspectBoth(image.reference);
      const ourJson = JSON.parse(ours.stdout) as InspectJson;
      const theirJson = JSON.parse(theirs.stdout) as Record<string, unknown>;
      for (const [field, value] of Object.entries(theirJson)) {
        expect(ourJson[field as keyof InspectJson], field).toEqual(value);
      }
      // Byte for byte, once the field 1.9.3 does not have is taken out.
      const withoutLayersData = ours.stdout.replace(/ {4}"LayersData": \[\n[\s\S]*?\n {4}\],\n/, '');
      expect(withoutLayersData).toBe(theirs.stdout);
      expect(ourJson.Digest).toBe(image.manifestDigest);
      // LayersData, as current skopeo prints it, describes the manifest's layers.
      expect(ourJson.LayersData).toEqual(
        image.manifest.layers.map((layer) => ({
          MIMEType: layer.mediaType,
          Digest: layer.digest,
          Size: layer.size,
          Annotations: null,
        })),
      );
      expect(ourJson.LayersData.map((layer) => layer.Digest)).toEqual(ourJson.Layers);
      // Key order of current skopeo's inspect.Output.
      expect(Object.keys(ourJson)).toEqual([
        'Digest',
        'RepoTags',
        'Created',
        'DockerVersion',
        'Labels',
        'Architecture',
        'Os',
        'Layers',
        'LayersData',
        'Env',
      ]);
    });
  }

  it('escapes as Go does and keeps the timestamp as written', async () => {
    const { ours } = await inspectBoth(layered.reference);
    expect(ours.stdout).toContain('"a\\u0026b": "\\u003cx\\u003e"');
    expect(ours.stdout).toContain('"Created": "2023-05-06T07:08:09.12345+02:00"');
  });

  it('--raw prints the manifest bytes exactly, without a newline', async () => {
    const { ours, theirs } = await inspectBoth(layered.reference, ['--raw']);
    expect(ours.stdoutBytes.equals(layered.manifestBytes)).toBe(true);
    expect(ours.stdoutBytes.equals(theirs.stdoutBytes)).toBe(true);
  });

  it('--raw --config prints the config blob exactly', async () => {
    const { ours, theirs } = await inspectBoth(layered.reference, ['--raw', '--config']);
    expect(ours.stdoutBytes.equals(layered.configBytes)).toBe(true);
    expect(ours.stdoutBytes.equals(theirs.stdoutBytes)).toBe(true);
  });

  it('--config prints the OCI config as skopeo does', async () => {
    for (const image of [single, layered]) {
      const { ours, theirs } = await inspectBoth(image.reference, ['--config']);
      expect(ours.stdout).toBe(theirs.stdout);
    }
  });

  it('for a list: describes the image for the platform, with the list digest', async () => {
    const { ours, theirs } = await inspectBoth(multiArch.reference);
    const ourJson = JSON.parse(ours.stdout) as InspectJson;
    expect(ourJson.Digest).toBe(multiArch.indexDigest);
    const amd64 = multiArch.images.find((image) => image.platform.architecture === 'amd64');
    expect(ourJson.Layers).toEqual(amd64?.layerDigests);
    const theirJson = JSON.parse(theirs.stdout) as Record<string, unknown>;
    for (const [field, value] of Object.entries(theirJson))
      expect(ourJson[field as keyof InspectJson], field).toEqual(value);
    // --raw is the list itself.
    const raw = await runCli(['inspect', '--raw', multiArch.reference], { cwd: tmp.path });
    expect(raw.stdoutBytes.equals(multiArch.indexBytes)).toBe(true);
  });

  it('picks another list member with --override-arch/--override-variant, as skopeo does', async () => {
    const args = ['--override-arch', 'arm64', '--override-variant', 'v8'];
    const ours = await runCli([...args, 'inspect', multiArch.reference], { cwd: tmp.path });
    const theirs = await runSkopeo([...args, 'inspect', multiArch.reference]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const ourJson = JSON.parse(ours.stdout) as InspectJson;
    expect(ourJson.Architecture).toBe('arm64');
    expect(ourJson.Layers).toEqual((JSON.parse(theirs.stdout) as InspectJson).Layers);
    const none = await runCli(['--override-arch', 's390x', 'inspect', multiArch.reference], {
      cwd: tmp.path,
    });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('s390x');
  });

  it('--format renders Go templates as skopeo does', async () => {
    for (const format of [
      '{{.Digest}}',
      '{{.Labels}}',
      '{{.Created}}',
      '{{.Layers}}',
      '{{.Env}} {{.RepoTags}} {{.Name}}|',
      '{{range .Layers}}{{.}},{{end}}',
      '{{.Architecture}}/{{.Os}}\\n',
    ]) {
      const { ours, theirs } = await inspectBoth(layered.reference, ['--format', format]);
      expect(ours.stdout, format).toBe(theirs.stdout);
    }
    // Functions of current skopeo's formatter (1.9.3 has none).
    const functions = await runCli(
      [
        'inspect',
        '--format',
        '{{json .Labels}}|{{json .Created}}|{{.Os | upper}}|{{len .Layers}}',
        layered.reference,
      ],
      { cwd: tmp.path },
    );
    expect(functions.stdout).toBe(
      '{"a&b":"<x>","quote":"say \\"hi\\"\\n","unicode":"é\\u2028"}|"2023-05-06T07:08:09.12345+02:00"|LINUX|3\n',
    );
    // "json" and "{{json .}}" are the indented JSON output.
    const json = await runCli(['inspect', '--format', '{{json .}}', layered.reference], { cwd: tmp.path });
    const plain = await runCli(['inspect', layered.reference], { cwd: tmp.path });
    expect(json.stdout).toBe(plain.stdout);
  });

  it('--format with an unknown field fails with status 1', async () => {
    const result = await runCli(['inspect', '--format', '{{.NoSuch}}', single.reference], { cwd: tmp.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("can't evaluate field NoSuch");
  });

  it('refuses --raw with --format, as skopeo', async () => {
    const result = await runCli(['inspect', '--raw', '--format', '{{.Digest}}', single.reference], {
      cwd: tmp.path,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('raw output does not support format option');
  });

  it('exits 2 when the image is not found', async () => {
    const missingTag = await runCli(['inspect', `oci:${single.layoutDir}:nope`], { cwd: tmp.path });
    expect(missingTag.exitCode).toBe(2);
    expect(missingTag.stderr).toMatch(/^skopeo-ts: error: /);
    expect(missingTag.stdout).toBe('');
    const missingLayout = await runCli(['inspect', `oci:${join(tmp.path, 'no-layout')}:x`], {
      cwd: tmp.path,
    });
    expect(missingLayout.exitCode).toBe(2);
  });

  it('retries only what another attempt can fix (not a missing image)', async () => {
    const started = Date.now();
    const result = await runCli(
      ['inspect', '--retry-times', '3', '--retry-delay', '5s', `oci:${single.layoutDir}:nope`],
      { cwd: tmp.path },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toContain('retrying');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('inspects what skopeo inspects through the oci-archive: and dir: transports', async () => {
    const archive = join(tmp.path, 'layered.tar');
    const dir = join(tmp.path, 'layered-dir');
    expect(
      (await runSkopeo(['--insecure-policy', 'copy', layered.reference, `oci-archive:${archive}:t`]))
        .exitCode,
    ).toBe(0);
    expect((await runSkopeo(['--insecure-policy', 'copy', layered.reference, `dir:${dir}`])).exitCode).toBe(
      0,
    );
    for (const reference of [`oci-archive:${archive}:t`, `dir:${dir}`]) {
      const theirs = await skopeoInspect(reference);
      const ours = await runCli(['inspect', reference], { cwd: tmp.path });
      expect(ours.exitCode, ours.stderr).toBe(0);
      const ourJson = JSON.parse(ours.stdout) as Record<string, unknown>;
      for (const [field, value] of Object.entries(theirs.json))
        expect(ourJson[field], `${reference} ${field}`).toEqual(value);
    }
  });
});
