// What the container service needs from the volume service (engine/volumes): create named or
// anonymous volumes, remove them, and tell it which containers use a volume (for `volume rm` conflicts).
export interface VolumeAccess {
  /** Named: returns the existing volume when `ifMissing` and it exists. Anonymous: a new random name. */
  create(opts: { name?: string; anonymous?: boolean; labels?: Record<string, string> | undefined; ifMissing?: boolean }): Promise<{ name: string; mountpoint: string }>;
  remove(name: string): Promise<void>;
  setUsage?(fn: (name: string) => string[]): void;
}
