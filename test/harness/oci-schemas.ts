// Validators for the published OCI JSON schemas in /work/shared/oci-schemas (JSON Schema draft-04, via
// ajv + ajv-draft-04). Every file of a spec folder is registered under its file name, so the cross-file
// `defs.json#/definitions/...` references resolve; the schemas' `id` keywords are dropped when loading
// because they would rebase those relative references onto opencontainers.org URLs.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// ajv-draft-04 is CommonJS whose class is module.exports itself.
type AjvClass = typeof import('ajv-draft-04').default;
type Ajv = InstanceType<AjvClass>;
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as AjvClass;

/**
 * The schemas live in the steering repo's shared/, checked out beside this repo (CI clones main with
 * shared/ next to it). BERTH_OCI_SCHEMAS overrides; /work/shared is the developers' machines' layout.
 */
export const OCI_SCHEMAS = findSchemas();

function findSchemas(): string {
  if (process.env.BERTH_OCI_SCHEMAS) return process.env.BERTH_OCI_SCHEMAS;
  // dist/test/harness/oci-schemas.js -> the repo root is three levels up.
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  for (const c of [path.join(repo, '../shared/oci-schemas'), path.join(repo, 'shared/oci-schemas'), '/work/shared/oci-schemas']) {
    if (fs.existsSync(path.join(c, 'runtime-spec-v1.3.0'))) return c;
  }
  throw new Error(`OCI schemas not found beside ${repo} (expected ../shared/oci-schemas); set BERTH_OCI_SCHEMAS`);
}

export type Validate = (doc: unknown) => string[];

function stripIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripIds);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'id' && typeof v === 'string') continue; // the keyword, not a property named "id"
      // runtime-spec 1.3.0's defs.json has one "#definitions/uint32" (no slash): a JSON pointer needs it.
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/#definitions\//, '#/definitions/') : stripIds(v);
    }
    return out;
  }
  return node;
}

function loadFolder(folder: string): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  for (const f of fs.readdirSync(folder).filter((n) => n.endsWith('.json')).sort()) {
    const schema = stripIds(JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'))) as Record<string, unknown>;
    delete schema.$schema; // draft-04 is the default of ajv-draft-04
    ajv.addSchema(schema, f);
  }
  return ajv;
}

function validator(ajv: Ajv, key: string): Validate {
  const v = ajv.getSchema(key);
  if (!v) throw new Error(`schema ${key} not loaded`);
  return (doc) => (v(doc) ? [] : (v.errors ?? []).map((e: { instancePath?: string; message?: string; params: unknown }) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

export function ociValidators(root = OCI_SCHEMAS) {
  const runtime = loadFolder(path.join(root, 'runtime-spec-v1.3.0'));
  const image = loadFolder(path.join(root, 'image-spec-v1.1.1'));
  return {
    runtimeConfig: validator(runtime, 'config-schema.json'),
    imageManifest: validator(image, 'image-manifest-schema.json'),
    imageIndex: validator(image, 'image-index-schema.json'),
    imageConfig: validator(image, 'config-schema.json'),
    imageLayout: validator(image, 'image-layout-schema.json'),
  };
}
