// The volume service's own model of a volume (the routes translate it to the Engine API's Volume).

/** Docker 23+ marks volumes a container created for itself with this label; prune looks for it. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  name: string;
  /** Only Docker's built-in `local` driver exists in berth. */
  driver: 'local';
  /** <root>/<name>/_data: what containers mount. */
  mountpoint: string;
  /** RFC 3339 in UTC with seconds, as Docker prints it ("2024-01-01T00:00:00Z"). */
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export interface CreateVolumeRequest {
  /** Empty or absent: a random 64-hex name. */
  name?: string;
  driver?: string;
  labels?: Record<string, string> | undefined;
  driverOpts?: Record<string, string> | undefined;
  /** A container's anonymous volume: random name and Docker's anonymous label. */
  anonymous?: boolean;
  /** Kept for the container service's contract: an existing named volume is returned either way. */
  ifMissing?: boolean;
}

export function isAnonymous(v: VolumeRecord): boolean {
  return Object.prototype.hasOwnProperty.call(v.labels, ANONYMOUS_LABEL);
}
