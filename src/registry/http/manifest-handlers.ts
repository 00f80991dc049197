// /v2/<name>/manifests/<reference>: GET/HEAD by tag or digest (Content-Type is the manifest's media
// type, Docker-Content-Digest and ETag its digest), PUT (checked whole first), DELETE (by digest: the
// manifest and its tags; by tag: the tag, as OCI 1.1 allows).
import { RegistryError } from '../../lib/distribution/errors.js';
import { mediaTypeOf, readBody, send, type Ctx } from './context.js';

export async function manifestHandler(ctx: Ctx): Promise<void> {
  const { req, res, repo, opts } = ctx;
  const reference = ctx.route.ref!;
  const reg = opts.registry;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const m = await reg.getManifest(repo, reference);
      const etag = `"${m.digest}"`;
      const headers = { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: etag };
      if (req.headers['if-none-match'] === etag) return send(res, 304, headers);
      return send(res, 200, headers, m.body);
    }
    case 'PUT': {
      const body = await readBody(req, opts.maxManifestBytes, () => new RegistryError('MANIFEST_INVALID', `manifest larger than ${opts.maxManifestBytes} bytes`));
      const r = await reg.putManifest(repo, reference, body, mediaTypeOf(req.headers['content-type']));
      const headers: Record<string, string> = { Location: `/v2/${repo}/manifests/${r.digest}`, 'Docker-Content-Digest': r.digest };
      if (r.subject) headers['OCI-Subject'] = r.subject;
      return send(res, 201, headers);
    }
    case 'DELETE':
      await reg.deleteManifest(repo, reference);
      return send(res, 202, {});
  }
}
