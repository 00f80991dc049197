// What the rest of the engine (containers now; the builder, registries and commit later) needs from
// the image side. The images service implements it; the container service receives it in its
// constructor. Keep it narrow.
import type { ContainerConfig } from '../../api/types/containers.js';

/** sha256:<64 hex> (defined with its validation in lib/oci/digest.ts). */
import type { Digest } from '../../lib/oci/digest.js';
export type { Digest };

export interface ResolvedImage {
  /** The image ID: the digest of its config blob. */
  id: Digest;
  /** The reference the user gave, normalised for display ("busybox:latest"), or the ID if given by ID. */
  displayRef: string;
  /** The container defaults from the image config's `config` (Cmd, Entrypoint, Env, WorkingDir, User...). */
  config: ContainerConfig;
  /** Unpacked layer directories, lowest first: what overlayfs needs as lowerdir (reversed). */
  layerDirs: string[];
}

export interface ImageProvider {
  /** Resolves a reference, a full ID or a unique ID prefix. NotFoundError "No such image: X". */
  resolve(ref: string): Promise<ResolvedImage>;
  /**
   * Whether the image can still be taken into use: present and not being deleted. A creator marks its
   * use (visible through ImageUsage.containersUsing) and then asks this in the same synchronous step;
   * a removal checks the users and marks the deletion in one step too, so one of them always sees the
   * other and an image is never deleted under a container that is being created from it.
   */
  isAvailable(id: Digest): boolean;
}

/** Lets the image service ask whether containers still use an image before deleting it. */
export interface ImageUsage {
  containersUsing(imageId: Digest): string[];
}
