// docker network connect/disconnect of a container (under the container's lock, taken by the
// service): the configuration kept for later starts, and a running container wired now.
import type { EndpointSettings } from '../../api/types/containers.js';
import { ForbiddenError } from '../../errors.js';
import type { EventBus } from '../events.js';
import type { ContainerNetworking } from './container-host.js';
import type { ContainerStore } from './container-store.js';

export interface NetworkAttachDeps {
  store: ContainerStore;
  networking: ContainerNetworking;
  events: EventBus;
}

export async function connectNetworkLocked(d: NetworkAttachDeps, id: string, network: string, cfg: EndpointSettings): Promise<void> {
  const c = d.store.find(id);
  const mode = c.hostConfig.NetworkMode ?? '';
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) throw new ForbiddenError('container sharing network namespace with another container or host cannot be connected to any other network');
  const primary = mode === '' || mode === 'default' ? 'bridge' : mode;
  const eps = ((c.networkingConfig ??= {}).EndpointsConfig ??= {});
  const running = c.state.status === 'running' || c.state.status === 'paused';
  if (network === primary || eps[network] || (running && c.network?.endpoints.some((e) => e.network === network))) {
    throw new ForbiddenError(`endpoint with name ${c.name} already exists in network ${network}`);
  }
  if (running) {
    if (!d.networking.connect) throw new ForbiddenError('this daemon has no bridge networking');
    const ep = await d.networking.connect(c, network, cfg);
    c.network = { sandboxKey: c.network?.sandboxKey ?? '', endpoints: [...(c.network?.endpoints ?? []), ep], ...(c.network?.ports ? { ports: c.network.ports } : {}) };
  }
  eps[network] = cfg;
  await d.store.save(c);
  d.events.publish({ type: 'network', action: 'connect', id: network, attributes: { container: c.id, name: network, type: 'bridge' } });
}

export async function disconnectNetworkLocked(d: NetworkAttachDeps, id: string, network: string): Promise<void> {
  const c = d.store.find(id);
  const mode = c.hostConfig.NetworkMode ?? '';
  const primary = mode === '' || mode === 'default' ? 'bridge' : mode;
  const eps = c.networkingConfig?.EndpointsConfig ?? {};
  const running = c.state.status === 'running' || c.state.status === 'paused';
  const onIt = network === primary || network in eps || (running && c.network?.endpoints.some((e) => e.network === network));
  if (!onIt) throw new ForbiddenError(`container ${c.id} is not connected to network ${network}`);
  if (running && d.networking.disconnect) {
    await d.networking.disconnect(c, network);
    if (c.network) c.network = { ...c.network, endpoints: c.network.endpoints.filter((e) => e.network !== network) };
  }
  delete eps[network];
  // Off its primary network, a container has none left to start on: Docker then gives it none.
  if (network === primary) {
    const rest = Object.keys(eps);
    c.hostConfig.NetworkMode = rest[0] ?? 'none';
  }
  await d.store.save(c);
  d.events.publish({ type: 'network', action: 'disconnect', id: network, attributes: { container: c.id, name: network, type: 'bridge' } });
}
