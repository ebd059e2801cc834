import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { isDomainError } from '../../src/errors.js';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { EntryNameSet, unsafeNameReason, ZipArchive } from '../../src/packages/zip-archive.js';
import { buildZip, type HostileCase, nestedZip, noise, SMALL_LIMITS, writeHostileZips, yazlZip } from '../helpers/hostile-archives.js';
import { unzipToMemory } from './csar-test-support.js';
import { assertInvalid, rejectsInvalid } from '../helpers/invalid-package.js';
import { memoryGrowth } from '../helpers/memory-growth.js';

const MiB = 1024 * 1024;
const FIXTURES = path.resolve('../shared/fixtures/csar');

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** What csar-processor.ts does with an uploaded CSAR: open, verify every entry, close. Says where it was refused. */
async function openAndVerify(file: string, limits: ArchiveLimits, depth: number): Promise<{ stage: 'open' | 'verify' | 'accepted'; error?: unknown }> {
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(file, limits, depth);
  } catch (error) {
    return { stage: 'open', error };
  }
  try {
    await zip.verifyAll();
    return { stage: 'accepted' };
  } catch (error) {
    return { stage: 'verify', error };
  } finally {
    await zip.whenClosed();
  }
}

/** Descriptors this process holds (Linux), to show that every archive, refused or not, lets go of its file. */
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

async function tempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

function yazlToBuffer(zip: yazl.ZipFile): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Compression method of every entry, read with plain yauzl: proves which code path a positive test exercised. */
async function methodsOf(buf: Buffer): Promise<Record<string, number>> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const methods: Record<string, number> = {};
  for await (const e of zip.eachEntry()) methods[e.fileName] = e.compressionMethod;
  zip.close();
  return methods;
}

// The hostile battery is written once, into a fresh folder that the last hook removes.
const hostileDir = await tempDir('applcm-hostile-zips-');
const cases: HostileCase[] = await writeHostileZips(hostileDir);
const hostileInputs = fs.readdirSync(hostileDir).sort();

describe('ZipArchive on hostile zips', () => {
  after(() => fs.rmSync(hostileDir, { recursive: true, force: true }));

  it('the battery covers every attack the brief lists, each once', () => {
    const ids = cases.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'case ids are unique');
    const required = [
      'traversal',
      'absolute',
      'drive-backslash',
      'backslash-traversal',
      'symlink',
      'duplicate',
      'case-duplicate',
      'ratio-bomb',
      'overlap-fifield',
      'entries-20000',
      'truncated',
      'bitflip-stored',
      'bitflip-deflated',
      'zip64-locator-lie',
      'zip64-size-lie',
      'not-a-zip-png',
      'encrypted',
      'method-12',
      'nested-too-deep',
    ];
    assert.deepEqual(
      required.filter((id) => !ids.includes(id)),
      [],
    );
    assert.deepEqual(hostileInputs, cases.map((c) => path.basename(c.file)).sort(), 'one input file per case, nothing else');
  });

  describe('open + verifyAll (as csar-processor does) refuses each with INVALID_PACKAGE', () => {
    for (const c of cases) {
      it(`${c.id}: refused at ${c.stage}, ${String(c.expect)}`, { timeout: 60_000 }, async () => {
        const { stage, error } = await openAndVerify(c.file, c.limits, c.depth ?? 0);
        assert.notEqual(stage, 'accepted', 'the archive was accepted');
        assertInvalid(error, c.expect);
        // 'open' means refused from the central directory alone, before any entry data was inflated.
        assert.equal(stage, c.stage, `refused at ${stage}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  });

  describe('the bombs are refused with bounded memory and without writing anything', () => {
    for (const c of cases.filter((k) => k.inflatesTo !== undefined)) {
      const inflatesTo = c.inflatesTo!;
      it(`${c.id} (would inflate to ${Math.round(inflatesTo / MiB)} MiB)`, { timeout: 60_000 }, async () => {
        let outcome: Awaited<ReturnType<typeof openAndVerify>> | undefined;
        const growth = await memoryGrowth(async () => {
          outcome = await openAndVerify(c.file, c.limits, c.depth ?? 0);
        });
        assert.ok(outcome);
        assertInvalid(outcome.error, c.expect);
        // Buffers hold inflated data; resident memory also moves with the heap, so it gets a fixed allowance (which
        // is far under the inflated size for the gigabyte bomb, the case where it says something).
        assert.ok(growth.arrayBuffers < inflatesTo / 4, `Buffer memory grew by ${growth.arrayBuffers} bytes`);
        assert.ok(growth.rss < 64 * MiB, `resident memory grew by ${growth.rss} bytes`);
        assert.deepEqual(fs.readdirSync(hostileDir).sort(), hostileInputs, 'the folder holds only the input archives');
      });
    }

    it('the gigabyte size lie is stopped at its declared size by read(), sha256() and openStream() too', { timeout: 60_000 }, async () => {
      const c = cases.find((k) => k.id === 'size-lie-gigabyte');
      assert.ok(c, 'the battery has the gigabyte bomb');
      const zip = await ZipArchive.open(c.file, c.limits, 0);
      try {
        assert.equal(zip.sizeOf('giga.bin'), 1000);
        const growth = await memoryGrowth(async () => {
          await rejectsInvalid(zip.read('giga.bin', 2 * 1024 * MiB), /giga\.bin: inflates past its declared size of 1000 bytes/);
          await rejectsInvalid(zip.sha256('giga.bin'), /giga\.bin: inflates past its declared size of 1000 bytes/);
          let delivered = 0;
          await rejectsInvalid(
            (async () => {
              for await (const chunk of await zip.openStream('giga.bin')) delivered += (chunk as Buffer).length;
            })(),
            /giga\.bin: inflates past its declared size/,
          );
          assert.ok(delivered <= 1000, `${delivered} bytes were handed out for an entry declared as 1000`);
        });
        assert.ok(growth.rss < 64 * MiB, `resident memory grew by ${growth.rss} bytes`);
        assert.ok(growth.arrayBuffers < 64 * MiB, `Buffer memory grew by ${growth.arrayBuffers} bytes`);
      } finally {
        await zip.whenClosed();
      }
    });
  });

  it('the same archives, nested (fromBuffer), are refused too and the message names the nested archive', async () => {
    const source = 'APPD/nested.zip';
    for (const c of cases) {
      const buf = await fs.promises.readFile(c.file);
      const expect = buf.length > c.limits.maxNestedArchiveBytes ? /nested archive of \d+ bytes is over the 1048576 allowed/ : c.expect;
      let zip: ZipArchive | undefined;
      try {
        zip = await ZipArchive.fromBuffer(buf, c.limits, c.depth ?? 1, source);
        await zip.verifyAll();
        assert.fail(`${c.id}: accepted from a buffer`);
      } catch (e) {
        assertInvalid(e, expect);
        assert.ok((e as Error).message.startsWith(source), `${c.id}: ${(e as Error).message}`);
      } finally {
        await zip?.whenClosed();
      }
    }
  });

  it('every refused archive releases its file descriptor', async () => {
    const before = openFds();
    for (const c of cases) await openAndVerify(c.file, c.limits, c.depth ?? 0);
    assert.equal(openFds(), before);
  });

  it('nothing was extracted: the folder holds only the input archives', () => {
    assert.deepEqual(fs.readdirSync(hostileDir).sort(), hostileInputs);
  });

  it('nesting is counted level by level: the third nested zip is refused by name', async () => {
    const dir = await tempDir('applcm-nested-');
    try {
      const file = path.join(dir, 'outer.zip');
      await fs.promises.writeFile(file, await nestedZip(4)); // outer holds level3.zip holds level2.zip holds level1.zip
      const outer = await ZipArchive.open(file, SMALL_LIMITS, 0);
      const level3 = await ZipArchive.fromBuffer(await outer.read('level3.zip', MiB), SMALL_LIMITS, 1, 'level3.zip');
      const level2 = await ZipArchive.fromBuffer(await level3.read('level2.zip', MiB), SMALL_LIMITS, 2, 'level3.zip!/level2.zip');
      const level1 = await level2.read('level1.zip', MiB);
      await rejectsInvalid(ZipArchive.fromBuffer(level1, SMALL_LIMITS, 3, 'level3.zip!/level2.zip!/level1.zip'), /^level3\.zip!\/level2\.zip!\/level1\.zip: archive nested 3 levels deep, over the 2 allowed$/);
      // One level fewer is fine, and its content reads back.
      const ok = await ZipArchive.fromBuffer(level1, { ...SMALL_LIMITS, maxDepth: 3 }, 3, 'level1.zip');
      assert.deepEqual(ok.names(), ['TOSCA_VNFD.meta']);
      assert.equal((await ok.read('TOSCA_VNFD.meta', 1024)).toString(), 'Entry-Definitions: Definition/x.yaml\n');
      for (const z of [ok, level2, level3, outer]) await z.whenClosed();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a nested archive over maxNestedArchiveBytes is refused before it is parsed', async () => {
    const big = await yazlZip([{ name: 'n.bin', data: noise(64 * 1024), compress: false }]);
    await rejectsInvalid(ZipArchive.fromBuffer(big, { ...SMALL_LIMITS, maxNestedArchiveBytes: 1024 }, 1, 'APPD/a.zip'), /^APPD\/a\.zip: nested archive of \d+ bytes is over the 1024 allowed$/);
  });

  it('a missing file is a system error, not INVALID_PACKAGE', async () => {
    await assert.rejects(ZipArchive.open(path.join(hostileDir, 'does-not-exist.zip'), SMALL_LIMITS), (e: unknown) => {
      assert.ok(!isDomainError(e));
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });
});

describe('ZipArchive on well-formed zips', () => {
  const files = {
    'a.txt': text('hello world\n'.repeat(200)),
    'stored.bin': noise(5000),
    'empty.txt': Buffer.alloc(0),
    'dir/sub/c.json': text(JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ key: 'value', i })))),
    'données/café.txt': text('unicode name\n'.repeat(20)),
    'big.txt': noise(3 * MiB), // several read chunks, over the 1 MiB ratio floor, barely compressible
  };
  const stored = new Set(['stored.bin', 'empty.txt']);
  const dirs = ['dir/', 'dir/sub/', 'emptydir/'];
  const build = (): Promise<Buffer> =>
    yazlZip(
      Object.entries(files).map(([name, data]) => ({ name, data, compress: !stored.has(name) })),
      dirs,
    );

  /** Opens the same zip from disk and from memory. */
  const readers: { name: string; open: (buf: Buffer, limits: ArchiveLimits) => Promise<ZipArchive> }[] = [
    {
      name: 'open (file)',
      open: async (buf, limits) => {
        const dir = await tempDir('applcm-good-zip-');
        const file = path.join(dir, 'good.zip');
        await fs.promises.writeFile(file, buf);
        try {
          return await ZipArchive.open(file, limits);
        } finally {
          // The descriptor keeps the data reachable on Linux; the name can go now.
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    },
    { name: 'fromBuffer', open: (buf, limits) => ZipArchive.fromBuffer(buf, limits, 1, 'inner.zip') },
  ];

  it('the test zip really has stored (0) and deflated (8) entries', async () => {
    const methods = await methodsOf(await build());
    for (const name of Object.keys(files)) assert.equal(methods[name], stored.has(name) ? 0 : 8, name);
  });

  for (const reader of readers) {
    describe(reader.name, () => {
      it('lists files (not directories) in archive order, and every entry with its declared sizes', async () => {
        const zip = await reader.open(await build(), DEFAULT_ARCHIVE_LIMITS);
        try {
          assert.deepEqual(zip.names(), Object.keys(files));
          assert.deepEqual(
            zip.entries.filter((e) => e.isDirectory).map((e) => e.name),
            dirs,
          );
          for (const [name, data] of Object.entries(files)) {
            assert.equal(zip.has(name), true, name);
            assert.equal(zip.sizeOf(name), data.length, name);
            const info = zip.entries.find((e) => e.name === name)!;
            if (stored.has(name)) assert.equal(info.compressedSize, data.length, `${name} is stored`);
            else assert.ok(info.compressedSize < data.length, `${name} is deflated`);
          }
          for (const d of dirs) assert.equal(zip.has(d), false, `${d} is a directory, not a file`);
          assert.equal(zip.has('missing.txt'), false);
        } finally {
          await zip.whenClosed();
        }
      });

      it('reads back every file exactly, and sha256 equals node:crypto over the same bytes', async () => {
        const zip = await reader.open(await build(), DEFAULT_ARCHIVE_LIMITS);
        try {
          for (const [name, data] of Object.entries(files)) {
            const got = await zip.read(name, data.length);
            assert.ok(got.equals(data), `${name} reads back exactly`);
            assert.equal(await zip.sha256(name), sha256(data), name);
          }
          await zip.verifyAll();
        } finally {
          await zip.whenClosed();
        }
      });

      it('an entry read several times gives the same bytes and is charged once against the archive cap', async () => {
        const total = Object.values(files).reduce((n, b) => n + b.length, 0);
        // The cap is exactly the archive's inflated size: reading anything twice would exceed it if counted twice.
        const zip = await reader.open(await build(), { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: total });
        try {
          for (let round = 0; round < 3; round++) {
            for (const [name, data] of Object.entries(files)) assert.ok((await zip.read(name, data.length)).equals(data), `${name}, round ${round}`);
          }
          assert.equal(await zip.sha256('big.txt'), sha256(files['big.txt']));
          await zip.verifyAll();
          await zip.verifyAll();
        } finally {
          await zip.whenClosed();
        }
      });

      it('streams an entry in chunks', async () => {
        const zip = await reader.open(await build(), DEFAULT_ARCHIVE_LIMITS);
        try {
          const chunks: Buffer[] = [];
          for await (const chunk of await zip.openStream('big.txt')) chunks.push(chunk as Buffer);
          assert.ok(chunks.length > 1, 'more than one chunk');
          assert.ok(Buffer.concat(chunks).equals(files['big.txt']));
        } finally {
          await zip.whenClosed();
        }
      });

      it('refuses reads over maxBytes, of directories and of missing names, naming the entry', async () => {
        const zip = await reader.open(await build(), DEFAULT_ARCHIVE_LIMITS);
        const prefix = reader.name === 'fromBuffer' ? 'inner\\.zip!/' : '';
        try {
          await rejectsInvalid(zip.read('a.txt', 100), new RegExp(`^${prefix}a\\.txt: 2400 bytes, over the 100 allowed for this file$`));
          await rejectsInvalid(zip.read('dir/', 100), new RegExp(`^${prefix}dir/: is a directory, not a file$`));
          await rejectsInvalid(zip.read('nope.txt', 100), new RegExp(`^${prefix}nope\\.txt: no such file in the archive$`));
          assert.throws(() => zip.sizeOf('nope.txt'), (e: unknown) => assertInvalid(e, /nope\.txt: no such file/));
        } finally {
          await zip.whenClosed();
        }
      });
    });
  }

  it('close() stops an entry stream half-way, releases the descriptor, and later reads fail', async () => {
    const dir = await tempDir('applcm-close-');
    try {
      const file = path.join(dir, 'good.zip');
      await fs.promises.writeFile(file, await build());
      const before = openFds();
      const zip = await ZipArchive.open(file, DEFAULT_ARCHIVE_LIMITS);
      assert.equal(openFds(), before + 1);
      const stream = await zip.openStream('big.txt');
      const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
      assert.ok(first.length > 0);
      zip.close();
      zip.close(); // twice is fine
      await zip.whenClosed();
      assert.equal(stream.destroyed, true);
      assert.equal(openFds(), before);
      await assert.rejects(zip.read('a.txt', MiB), /zip archive is closed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty zip opens with no names', async () => {
    const zip = await ZipArchive.fromBuffer(await yazlZip([]), SMALL_LIMITS, 1);
    assert.deepEqual(zip.names(), []);
    assert.deepEqual(zip.entries, []);
    await zip.verifyAll();
    await zip.whenClosed();
  });

  it('reads entries written with data descriptors (sizes after the data) and in zip64 format', async () => {
    const a = noise(70 * 1024);
    const b = text('streamed, size unknown up front\n'.repeat(100));
    const z = new yazl.ZipFile();
    z.addReadStream(Readable.from([a]), 'streamed/a.bin', { mtime: new Date(0) });
    z.addReadStream(Readable.from([b]), 'streamed/b.txt', { mtime: new Date(0), compress: false });
    z.addBuffer(text('zip64 entry'), 'z64.txt', { mtime: new Date(0), forceZip64Format: true });
    z.end({ forceZip64Format: true, comment: '' });
    const buf = await yazlToBuffer(z);
    const flags = await (async () => {
      const y = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
      const f: Record<string, number> = {};
      for await (const e of y.eachEntry()) f[e.fileName] = e.generalPurposeBitFlag;
      y.close();
      return f;
    })();
    assert.ok(flags['streamed/a.bin']! & 0x8, 'a.bin has a data descriptor');
    assert.ok(flags['streamed/b.txt']! & 0x8, 'b.txt has a data descriptor');
    const zip = await ZipArchive.fromBuffer(buf, SMALL_LIMITS, 1);
    try {
      await zip.verifyAll();
      assert.ok((await zip.read('streamed/a.bin', MiB)).equals(a));
      assert.ok((await zip.read('streamed/b.txt', MiB)).equals(b));
      assert.equal((await zip.read('z64.txt', MiB)).toString(), 'zip64 entry');
    } finally {
      await zip.whenClosed();
    }
  });

  it('a small entry with a silly ratio (a page of zeros) is fine; the ratio rule starts above 1 MiB', async () => {
    const zeros = Buffer.alloc(512 * 1024);
    const zip = await ZipArchive.fromBuffer(await yazlZip([{ name: 'zeros.bin', data: zeros }]), SMALL_LIMITS, 1);
    try {
      assert.ok(zip.entries[0]!.uncompressedSize / zip.entries[0]!.compressedSize > SMALL_LIMITS.maxRatio);
      assert.ok((await zip.read('zeros.bin', MiB)).equals(zeros));
    } finally {
      await zip.whenClosed();
    }
  });

  it('an entry exactly at the per-entry cap is read; one byte more is refused at open', async () => {
    const limits = { ...SMALL_LIMITS, maxEntryBytes: 4096 };
    const at = await ZipArchive.fromBuffer(buildZip([{ name: 'at.bin', data: noise(4096) }]), limits, 1);
    assert.equal((await at.read('at.bin', 4096)).length, 4096);
    await at.whenClosed();
    await rejectsInvalid(ZipArchive.fromBuffer(buildZip([{ name: 'over.bin', data: noise(4097) }]), limits, 1), /over\.bin: declares 4097 bytes, over the 4096 allowed for one entry/);
  });
});

describe('the fixture CSARs', () => {
  const fixtures = fs.readdirSync(FIXTURES).sort();

  it('are in the fixtures folder', () => {
    assert.deepEqual(
      fixtures.filter((f) => f.endsWith('.csar')),
      ['appo-test-posiu.csar', 'etherpad-k8splugin.csar', 'face-recognition-1.4.csar', 'positioning-service.csar'],
    );
  });

  for (const fixture of fixtures) {
    it(`${fixture}: opens, verifies, and reads the same bytes as plain yauzl (nested zips too)`, async () => {
      const file = path.join(FIXTURES, fixture);
      const before = openFds();
      const zip = await ZipArchive.open(file, DEFAULT_ARCHIVE_LIMITS, 0);
      try {
        await zip.verifyAll();
        const reference = await unzipToMemory(await fs.promises.readFile(file));
        assert.deepEqual([...zip.names()].sort(), [...reference.names()].sort());
        assert.ok(zip.names().length > 0);
        for (const name of zip.names()) {
          const expected = await reference.read(name, Number.MAX_SAFE_INTEGER);
          assert.ok((await zip.read(name, DEFAULT_ARCHIVE_LIMITS.maxNestedArchiveBytes)).equals(expected), name);
          assert.equal(await zip.sha256(name), sha256(expected), name);
        }
        for (const name of zip.names().filter((n) => n.endsWith('.zip'))) {
          const inner = await ZipArchive.fromBuffer(await zip.read(name, DEFAULT_ARCHIVE_LIMITS.maxNestedArchiveBytes), DEFAULT_ARCHIVE_LIMITS, 1, name);
          try {
            await inner.verifyAll();
            assert.ok(inner.names().length > 0, `${name} has files`);
          } finally {
            await inner.whenClosed();
          }
        }
      } finally {
        await zip.whenClosed();
      }
      assert.equal(openFds(), before);
    });
  }
});

describe('entry-name rules', () => {
  it('unsafeNameReason accepts plain relative paths and refuses the rest', () => {
    for (const ok of ['a', 'a/b.txt', 'dir/', 'Artifacts/Tests/health check.yaml', 'données/café.txt', '..a', 'a..b/c']) assert.equal(unsafeNameReason(ok), undefined, ok);
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['/', /empty/],
      ['../x', /path traversal/],
      ['a/..', /path traversal/],
      ['a/../b', /path traversal/],
      ['/etc/passwd', /absolute path/],
      ['C:/x', /absolute path/],
      ['a\\b', /backslash/],
      ['a\u0000b', /control character/],
      ['a\u007fb', /control character/],
      ['a\u202eb', /bidirectional/],
      ['a//b', /non-canonical/],
      ['./a', /non-canonical/],
      ['a/./b', /non-canonical/],
      [`${'x'.repeat(256)}`, /longer than 255 bytes/],
      [Array<string>(129).fill('d').join('/'), /deeper than 128 levels/],
    ];
    for (const [name, reason] of bad) assert.match(unsafeNameReason(name) ?? '(accepted)', reason, JSON.stringify(name));
  });

  it('EntryNameSet finds exact, case, Unicode-normalisation, slash and file-as-folder collisions', () => {
    const set = new EntryNameSet();
    assert.equal(set.add('dir/', true), undefined);
    assert.equal(set.add('dir/a.txt', false), undefined);
    assert.equal(set.add('dir/sub/b.txt', false), undefined, 'a folder may be implied');
    assert.equal(set.add('dir/sub/', true), undefined, 'and listed after its files');
    assert.equal(set.add('caf\u00e9', false), undefined);
    assert.equal(set.add('dir/a.txt', false), 'duplicate entry name');
    assert.equal(set.add('DIR/A.TXT', false), 'duplicate entry name (collides with dir/a.txt)');
    assert.equal(set.add('cafe\u0301', false), 'duplicate entry name (collides with caf\u00e9)');
    assert.equal(set.add('dir', false), 'duplicate entry name (collides with dir/)');
    assert.equal(set.add('dir/a.txt/x', false), 'entry sits under dir/a.txt, which is a file');
    assert.equal(set.add('other/x', false), undefined);
    assert.equal(set.add('other', false), 'file has the same name as a folder of other entries');
  });
});
