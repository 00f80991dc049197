// Blob uploads: POST (start; with ?digest= monolithic; with ?mount= cross-repository or anonymous
// mount), PATCH (a chunk, in order by Content-Range or streamed), PUT ?digest= (finish, with an
// optional last chunk), GET (progress), DELETE (cancel).
import { RegistryError } from '../../lib/distribution/errors.js';
import { parseBlobDigest } from '../../lib/distribution/digest.js';
import { checkRepositoryName } from '../../lib/distribution/names.js';
import { parseContentRange, uploadRangeHeader } from '../../lib/distribution/range.js';
import { AuthError } from '../auth/authenticator.js';
import { hasBody, send, type Ctx } from './context.js';

function uploadLocation(repo: string, id: string): string {
  return `/v2/${repo}/blobs/uploads/${id}`;
}

function sendProgress(ctx: Ctx, status: number, id: string, size: number): void {
  send(ctx.res, status, {
    Location: uploadLocation(ctx.repo, id),
    Range: uploadRangeHeader(size),
    'Docker-Upload-UUID': id,
  });
}

function sendCreated(ctx: Ctx, digest: string): void {
  send(ctx.res, 201, { Location: `/v2/${ctx.repo}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

export async function uploadStartHandler(ctx: Ctx): Promise<void> {
  const { url, repo, opts, req } = ctx;
  const reg = opts.registry;
  const mount = url.searchParams.get('mount');
  if (mount !== null) {
    const digest = parseBlobDigest(mount);
    const from = url.searchParams.get('from');
    if (from !== null) {
      checkRepositoryName(from);
      // Mounting reads from the source repository: the caller must be allowed to pull it. When not,
      // an ordinary upload starts (as distribution does), rather than telling what `from` holds.
      const allowed = ctx.identity.may({ type: 'repository', name: from, actions: ['pull'] });
      if (allowed && (await reg.mount(repo, digest, from))) return sendCreated(ctx, digest);
    } else if (await reg.mount(repo, digest)) {
      return sendCreated(ctx, digest);
    }
  }
  const digestParam = url.searchParams.get('digest');
  if (digestParam !== null) {
    const digest = parseBlobDigest(digestParam);
    const id = await reg.startUpload(repo);
    try {
      await reg.completeUpload(repo, id, digest, req);
    } catch (e) {
      await reg.cancelUpload(repo, id).catch(() => {});
      throw e;
    }
    return sendCreated(ctx, digest);
  }
  req.resume();
  const id = await reg.startUpload(repo);
  sendProgress(ctx, 202, id, 0);
}

export async function uploadHandler(ctx: Ctx): Promise<void> {
  const { req, url, repo, opts } = ctx;
  const reg = opts.registry;
  const id = ctx.route.ref!;
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return sendProgress(ctx, 204, id, await reg.uploadSize(repo, id));
    case 'DELETE':
      await reg.cancelUpload(repo, id);
      return send(ctx.res, 204, {});
    case 'PATCH': {
      const range = parseContentRange(req.headers['content-range'] as string | undefined);
      if (range === null) throw new RegistryError('RANGE_INVALID', 'malformed Content-Range');
      const size = await reg.appendUpload(repo, id, req, range);
      return sendProgress(ctx, 202, id, size);
    }
    case 'PUT': {
      const digestParam = url.searchParams.get('digest');
      if (digestParam === null) throw new RegistryError('DIGEST_INVALID', 'digest missing from the upload PUT');
      const digest = parseBlobDigest(digestParam);
      const range = parseContentRange(req.headers['content-range'] as string | undefined);
      if (range === null) throw new RegistryError('RANGE_INVALID', 'malformed Content-Range');
      if (range) {
        // A last chunk with a range must start where the upload ends, as a PATCH must.
        const size = await reg.uploadSize(repo, id);
        if (range.start !== size) throw new RegistryError('RANGE_INVALID', `chunk starts at ${range.start}, upload is at ${size}`);
      }
      await reg.completeUpload(repo, id, digest, hasBody(req) ? req : undefined);
      return sendCreated(ctx, digest);
    }
  }
}

export { AuthError };
