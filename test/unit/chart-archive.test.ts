import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { inspectChartTgz } from '../../src/packages/chart-archive.js';
import { ZipArchive } from '../../src/packages/zip-archive.js';
import { buildTar, buildTgz, chartEntries, chartYaml, deflatedZeros, hostileCharts, SMALL_LIMITS } from '../helpers/hostile-archives.js';
import { inspectChartForTest } from './csar-test-support.js';
import { rejectsInvalid } from '../helpers/invalid-package.js';
import { memoryGrowth } from '../helpers/memory-growth.js';

const MiB = 1024 * 1024;
const FIXTURES = path.resolve('../shared/fixtures/csar');
const CHART_ENTRY = /(^|\/)Artifacts\/Deployment\/Charts\/[^/]+\.tgz$/;
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * Regular files of a .tgz, read independently of chart-archive.ts (gunzip, then the ustar headers by hand, with pax
 * `path` records applied), so the fixture results are checked against a second reading.
 */
function tarFiles(tgz: Buffer): Map<string, Buffer> {
  const tar = zlib.gunzipSync(tgz);
  const files = new Map<string, Buffer>();
  let paxPath: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (start: number, len: number): string => h.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    } else {
      const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      paxPath = undefined;
      if (type === '0') files.set(name, body);
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** A gzip member around a raw deflate stream (header, data, CRC-32 and length of the inflated bytes). */
function gzipMember(deflated: Buffer, crc: number, inflatedBytes: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(inflatedBytes % 2 ** 32, 4);
  return Buffer.concat([header, deflated, trailer]);
}

/** A valid chart tar (no end-of-archive blocks) followed by `mib` MiB of zeros, in about 1 KB per MiB. */
const gigabyteChartBomb = ((): ((mib: number) => Buffer) => {
  const made = new Map<number, Buffer>();
  return (mib) => made.get(mib) ?? made.set(mib, chartBomb(mib)).get(mib)!;
})();

function chartBomb(mib: number): Buffer {
  const chart = buildTar(chartEntries()).subarray(0, -1024);
  const head = zlib.deflateRawSync(chart, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  let crc = zlib.crc32(chart);
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) crc = zlib.crc32(zeros, crc);
  return gzipMember(Buffer.concat([head, deflatedZeros(mib)]), crc, chart.length + mib * MiB);
}

describe('inspectChartTgz on hostile charts', () => {
  const cases = hostileCharts();

  it('the battery covers links, devices, traversal, duplicates, bombs, corruption and nesting, each once', () => {
    const ids = cases.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'case ids are unique');
    const required = [
      'traversal',
      'absolute',
      'backslash',
      'symlink',
      'hardlink',
      'char-device',
      'fifo',
      'pax-traversal',
      'second-top-folder',
      'duplicate',
      'case-duplicate',
      'missing-chart-yaml',
      'chart-yaml-js-function',
      'chart-yaml-alias-bomb',
      'tar-bomb-ratio',
      'tar-bomb-total-cap',
      'too-many-entries',
      'truncated',
      'bad-checksum',
      'not-gzip',
      'too-deep',
      'subchart-bomb',
    ];
    assert.deepEqual(
      required.filter((id) => !ids.includes(id)),
      [],
    );
  });

  for (const c of cases) {
    it(`${c.id}: INVALID_PACKAGE, ${String(c.expect)}`, async () => {
      await rejectsInvalid(inspectChartTgz(c.data, c.limits, c.depth ?? 1), c.expect);
    });
  }

  it('messages name the chart as the caller did (source!/path)', async () => {
    const traversal = cases.find((c) => c.id === 'traversal')!;
    await rejectsInvalid(inspectChartTgz(traversal.data, traversal.limits, 1, 'Artifacts/Deployment/Charts/x.tgz'), /^Artifacts\/Deployment\/Charts\/x\.tgz!\/\.\.\/evil: path traversal/);
  });

  it('a gigabyte of zeros behind a valid chart is refused by ratio, inflating no more than the ratio allows, in bounded memory', { timeout: 60_000 }, async () => {
    const bomb = gigabyteChartBomb(1024);
    assert.ok(bomb.length < 2 * MiB, `the bomb is ${bomb.length} bytes`);
    const growth = await memoryGrowth(() => rejectsInvalid(inspectChartTgz(bomb, DEFAULT_ARCHIVE_LIMITS, 1, 'bomb.tgz'), /^bomb\.tgz: compression ratio over 200:1 \(tar bomb\?\)$/));
    assert.ok(growth.rss < 64 * MiB, `resident memory grew by ${growth.rss} bytes`);
    assert.ok(growth.arrayBuffers < 64 * MiB, `Buffer memory grew by ${growth.arrayBuffers} bytes`);
  });

  it('with the ratio rule out of the way, the same bomb stops at the archive cap', { timeout: 60_000 }, async () => {
    const bomb = gigabyteChartBomb(1024);
    const limits = { ...SMALL_LIMITS, maxNestedArchiveBytes: 4 * MiB, maxRatio: 1e9 };
    const growth = await memoryGrowth(() => rejectsInvalid(inspectChartTgz(bomb, limits, 1, 'bomb.tgz'), /^bomb\.tgz: inflates past the 4194304-byte cap for one archive$/));
    assert.ok(growth.rss < 64 * MiB, `resident memory grew by ${growth.rss} bytes`);
  });

  it('a chart archive over maxNestedArchiveBytes is refused before it is inflated', async () => {
    await rejectsInvalid(inspectChartTgz(buildTgz(chartEntries()), { ...SMALL_LIMITS, maxNestedArchiveBytes: 100 }, 1, 'c.tgz'), /^c\.tgz: chart archive of \d+ bytes is over the 100 allowed$/);
  });

  it('Chart.yaml fields that are not plain strings are refused', async () => {
    const chart = (yaml: string): Buffer => buildTgz(chartEntries([], text(yaml)));
    await rejectsInvalid(inspectChartTgz(chart('apiVersion: v2\nname: ../x\nversion: "1"\n'), SMALL_LIMITS, 1), /Chart\.yaml: name must not contain path separators/);
    await rejectsInvalid(inspectChartTgz(chart('apiVersion: v2\nname: [a, b]\nversion: "1"\n'), SMALL_LIMITS, 1), /Chart\.yaml: name is required and must be a string/);
    await rejectsInvalid(inspectChartTgz(chart('apiVersion: v2\nname: demo\nversion: "1\\u0007"\n'), SMALL_LIMITS, 1), /Chart\.yaml: version contains control characters/);
    await rejectsInvalid(inspectChartTgz(chart('apiVersion: v2\nname: demo\nversion: "1"\nappVersion: {a: b}\n'), SMALL_LIMITS, 1), /Chart\.yaml: appVersion must be a string/);
    await rejectsInvalid(inspectChartTgz(chart('name: demo\nversion: "1"\n'), SMALL_LIMITS, 1), /Chart\.yaml: apiVersion is required/);
    await rejectsInvalid(inspectChartTgz(buildTgz(chartEntries([], Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0x0a]))), SMALL_LIMITS, 1), /Chart\.yaml: not valid UTF-8/);
  });

  it('a valid subchart one level too deep is refused by depth', async () => {
    const withSub = buildTgz(chartEntries([{ path: 'demo/charts/', type: '5' }, { path: 'demo/charts/sub.tgz', data: buildTgz([{ path: 'sub/Chart.yaml', data: chartYaml({ name: 'sub' }) }]) }]));
    await rejectsInvalid(inspectChartTgz(withSub, SMALL_LIMITS, 2, 'c.tgz'), /^c\.tgz!\/demo\/charts\/sub\.tgz: archive nested 3 levels deep, over the 2 allowed$/);
  });
});

describe('inspectChartTgz on good charts', () => {
  it('describes a minimal chart: name, version, apiVersion, files, values', async () => {
    const info = await inspectChartTgz(buildTgz(chartEntries()), SMALL_LIMITS, 1);
    assert.deepEqual(info, {
      name: 'demo',
      version: '0.1.0',
      apiVersion: 'v1',
      files: ['Chart.yaml', 'values.yaml', 'templates/deploy.yaml'],
      valuesYaml: 'replicas: 1\nimage: nginx\n',
    });
  });

  it('keeps versions exactly as written: 1.10 stays "1.10", appVersion 2 stays "2"', async () => {
    const info = await inspectChartTgz(buildTgz(chartEntries([], text('apiVersion: v2\nname: demo\nversion: 1.10\nappVersion: 2\ndescription: A chart\n'))), SMALL_LIMITS, 1);
    assert.equal(info.version, '1.10');
    assert.equal(info.appVersion, '2');
    assert.equal(info.apiVersion, 'v2');
    assert.equal(info.description, 'A chart');
  });

  it('leaves out an empty appVersion and a chart without values.yaml', async () => {
    const info = await inspectChartTgz(buildTgz([{ path: 'demo/Chart.yaml', data: chartYaml({ appVersion: '""' }) }]), SMALL_LIMITS, 1);
    assert.deepEqual(info, { name: 'demo', version: '0.1.0', apiVersion: 'v1', files: ['Chart.yaml'] });
  });

  it('inspects a packed subchart and accepts it', async () => {
    const sub = buildTgz([{ path: 'sub/Chart.yaml', data: chartYaml({ name: 'sub' }) }]);
    const info = await inspectChartTgz(buildTgz(chartEntries([{ path: 'demo/charts/', type: '5' }, { path: 'demo/charts/sub.tgz', data: sub }])), SMALL_LIMITS, 1);
    assert.deepEqual(info.files, ['Chart.yaml', 'values.yaml', 'templates/deploy.yaml', 'charts/sub.tgz']);
  });

  it('ignores what follows the end-of-archive blocks, as Helm does: record padding, even a smuggled entry', async () => {
    const tar = Buffer.concat([buildTar(chartEntries()), Buffer.alloc(64 * 1024), buildTar([{ path: 'demo/after-eof.yaml', data: text('x: 1\n') }])]);
    const info = await inspectChartTgz(zlib.gzipSync(tar), SMALL_LIMITS, 1);
    assert.deepEqual(info.files, ['Chart.yaml', 'values.yaml', 'templates/deploy.yaml']);
  });

  it('agrees with the independent tar reader on a generated chart', async () => {
    const tgz = buildTgz(chartEntries([{ path: 'demo/templates/svc.yaml', data: text('kind: Service\n') }]));
    const info = await inspectChartTgz(tgz, SMALL_LIMITS, 1);
    assert.deepEqual(
      info.files,
      [...tarFiles(tgz).keys()].map((f) => f.replace(/^demo\//, '')),
    );
  });
});

describe('the charts inside the fixture CSARs', () => {
  const expected: Record<string, { name: string; version: string; appVersion: string }> = {
    'appo-test-posiu.csar!/Artifacts/Deployment/Charts/testposiu.tgz': { name: 'testposiu6c3c4c77-0b5f-4d', version: '1.0', appVersion: '1.0' },
    'etherpad-k8splugin.csar!/Artifacts/Deployment/Charts/etherpad.tgz': { name: 'etherpad9da310a0-b3ab-47', version: '1.0', appVersion: '1.0' },
    'face-recognition-1.4.csar!/face_reconigition_app/Artifacts/Deployment/Charts/face-recognition-1.4.tgz': { name: 'face-recognition', version: '1.4', appVersion: '1.4' },
    'positioning-service.csar!/Artifacts/Deployment/Charts/positioning-service.tgz': { name: 'positioning-service', version: '1.0', appVersion: '1.0' },
  };

  it('are found under Artifacts/Deployment/Charts/, below a top folder or not, and inspect correctly', async () => {
    const found: string[] = [];
    for (const fixture of fs.readdirSync(FIXTURES).sort()) {
      const zip = await ZipArchive.open(path.join(FIXTURES, fixture), DEFAULT_ARCHIVE_LIMITS, 0);
      try {
        for (const entry of zip.names().filter((n) => CHART_ENTRY.test(n))) {
          const key = `${fixture}!/${entry}`;
          found.push(key);
          const tgz = await zip.read(entry, DEFAULT_ARCHIVE_LIMITS.maxNestedArchiveBytes);
          const info = await inspectChartTgz(tgz, DEFAULT_ARCHIVE_LIMITS, 1, entry);
          assert.deepEqual({ name: info.name, version: info.version, appVersion: info.appVersion }, expected[key], key);
          assert.equal(info.apiVersion, 'v1', key);
          assert.equal(info.description, 'A Helm chart for Kubernetes', key);
          // A second, independent reading of the same archive.
          const reference = await inspectChartForTest(tgz);
          assert.deepEqual({ name: info.name, version: info.version, appVersion: info.appVersion }, reference, key);
          const files = tarFiles(tgz);
          const top = `${[...files.keys()][0]!.split('/')[0]!}/`;
          assert.deepEqual(
            info.files,
            [...files.keys()].map((f) => f.slice(top.length)),
            key,
          );
          assert.ok(info.files.includes('Chart.yaml') && info.files.includes('values.yaml'), key);
          assert.equal(info.valuesYaml, files.get(`${top}values.yaml`)!.toString('utf8'), key);
        }
      } finally {
        await zip.whenClosed();
      }
    }
    assert.deepEqual(found.sort(), Object.keys(expected).sort());
  });
});
