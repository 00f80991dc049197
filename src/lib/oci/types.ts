// The JSON documents of OCI image-spec 1.1 (descriptor, manifest, index, image config, layout) as
// TypeScript types. Docker's v2 schema 2 manifest has the same shape with other media types, and
// Docker's image config is the OCI config plus a few extra fields (container_config, docker_version,
// Healthcheck/OnBuild/Shell in `config`), so one set of types serves both.
import type { Digest } from './digest.js';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface HealthcheckConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The execution defaults of an image (`config` in the image config). */
export interface ImageRunConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  // Docker extensions (the OCI schema allows extra fields)
  Healthcheck?: HealthcheckConfig;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  StopTimeout?: number;
}

export interface HistoryEntry {
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ImageRunConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  // Docker extensions
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ImageRunConfig;
  parent?: string;
}

/** `oci-layout` file of an image layout. */
export interface OciLayoutFile {
  imageLayoutVersion: '1.0.0';
}

/** One entry of a docker-archive's manifest.json (docker save). */
export interface DockerArchiveManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  /** Docker 25+: where each layer's descriptor is (media type, size); optional. */
  LayerSources?: Record<string, Descriptor>;
}

/** The annotation OCI layouts use for a tag or full reference of a manifest in index.json. */
export const AnnotationRefName = 'org.opencontainers.image.ref.name';
/** containerd/Docker 25+ put the full reference here in index.json of a saved archive. */
export const AnnotationImageName = 'io.containerd.image.name';
