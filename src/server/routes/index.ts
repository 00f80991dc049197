// Every route module, registered in one place so the API surface can be read top to bottom.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import { registerSystemRoutes } from './system.js';
import { registerDebugRoutes } from './debug.js';
import { registerImageRoutes } from './images.js';
import { registerContainerRoutes, registerWebSocketAttach } from './containers.js';
import { registerExecRoutes } from './exec.js';
import { registerVolumeRoutes } from './volumes.js';
import { registerBuildRoutes } from './build.js';
import { registerNetworkRoutes } from './networks.js';
import { registerDashboardRoutes } from './dashboard.js';
import { registerDistributionRoutes } from './distribution.js';

export function registerAllRoutes(r: Router, s: Services): void {
  registerSystemRoutes(r, s);
  if (s.config.logLevel === 'debug') registerDebugRoutes(r);
  registerImageRoutes(r, s);
  registerContainerRoutes(r, s);
  registerWebSocketAttach(r, s);
  registerExecRoutes(r, s);
  registerVolumeRoutes(r, s);
  registerBuildRoutes(r, s);
  registerNetworkRoutes(r, s);
  registerDashboardRoutes(r, s);
  registerDistributionRoutes(r, s);
}
