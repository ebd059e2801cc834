import type { StoredFile } from './kit-types.js';
import type { StreamGate } from './rpc-runner.js';
import { StagedFile } from './staged-file.js';
import { readFramedUpload, type Framing, type UploadStream } from './stream-framing.js';

type Frame = { $case: string; value: string | Uint8Array } | undefined;

/**
 * Reads a framed upload (a package, an image) into a staged file: `admit` checks the metadata before a byte is
 * taken, the payload goes to a temp file, and `keep` moves it into place with `commit`. A stream that breaks off,
 * a refusal or a failure before the commit leaves nothing behind.
 */
export async function stageUpload<M extends string, T>(
  messages: UploadStream<{ data?: Frame }>,
  gate: StreamGate,
  framing: Framing<M>,
  tmpDir: string,
  admit: (meta: Record<M, string>) => Promise<void>,
  keep: (meta: Record<M, string>, commit: (dest: string) => Promise<StoredFile>) => Promise<T>,
): Promise<T> {
  let staged: StagedFile | undefined;
  try {
    const meta = await readFramedUpload(
      messages,
      framing,
      async (m) => {
        await admit(m);
        staged = await StagedFile.open(tmpDir);
      },
      async (chunk) => {
        gate.payload(chunk.length);
        await staged?.write(chunk);
      },
    );
    const file = staged;
    if (!file) throw new Error('upload admitted without a staging file');
    return await keep(meta, async (dest) => {
      const stored = await file.commit(dest);
      staged = undefined;
      return stored;
    });
  } finally {
    await staged?.discard();
  }
}
