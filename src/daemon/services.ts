// The services berthd wires together (daemon/main.ts builds them); route modules receive this.
// Type-only imports: the classes live in engine/ and are constructed in one place.
import type { DaemonConfig } from './config.js';
import type { Logger } from './logger.js';
import type { EventBus } from '../engine/events.js';
import type { ImageService } from '../engine/images/image-service.js';
import type { ContainerService } from '../engine/containers/container-service.js';
import type { Builder } from '../engine/builder/builder.js';
import type { NetworkService } from '../engine/networks/network-service.js';
import type { VolumeService } from '../engine/volumes/volume-service.js';
import type { HostFacts } from '../host/host-info.js';
import type { DistributionService } from '../engine/distribution/distribution-service.js';

export interface Services {
  config: DaemonConfig;
  log: Logger;
  events: EventBus;
  images: ImageService;
  containers: ContainerService;
  volumes: VolumeService;
  networks: NetworkService;
  builder: Builder;
  /** Facts about the host, probed once at start-up (for /info and /version). */
  host: HostFacts;
  /** The registry client: pull, push, login, search. */
  distribution: DistributionService;
}
