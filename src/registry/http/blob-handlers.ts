// /v2/<name>/blobs/<digest>: HEAD, GET (with a single Range), DELETE (unlinks from the repository; the
// GC frees the bytes).
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../../lib/distribution/errors.js';
import { parseBlobDigest } from '../../lib/distribution/digest.js';
import { parseRangeHeader } from '../../lib/distribution/range.js';
import { send, type Ctx } from './context.js';

export async function blobHandler(ctx: Ctx): Promise<void> {
  const { req, res, opts, repo } = ctx;
  const digest = parseBlobDigest(ctx.route.ref!);
  const reg = opts.registry;
  if (req.method === 'DELETE') {
    await reg.deleteBlob(repo, digest);
    send(res, 202, { 'Docker-Content-Digest': digest });
    return;
  }
  const size = await reg.blobSize(repo, digest);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
  };
  const range = parseRangeHeader(req.headers.range, size);
  if (range === 'unsatisfiable') {
    throw Object.assign(new RegistryError('RANGE_INVALID', 'requested range not satisfiable', { size }), { headers: { 'Content-Range': `bytes */${size}` } });
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'Content-Length': size });
    res.end();
    return;
  }
  const span = range && range !== 'ignore' ? range : undefined;
  const { stream } = await reg.openBlob(repo, digest, span);
  if (span) {
    res.writeHead(206, { ...headers, 'Content-Length': span.end - span.start + 1, 'Content-Range': `bytes ${span.start}-${span.end}/${size}` });
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': size });
  }
  // A client that hangs up mid-blob ends the pipeline with an error: nothing to answer any more.
  await pipeline(stream, res).catch(() => stream.destroy());
}
