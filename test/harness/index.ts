// The integration test harness: one import for test files.
export { startDaemon, TestDaemon, type AfterHook, type DaemonOptions } from './daemon.js';
export { apiRequest, waitForPing, type ApiResponse } from './api.js';
export { run, shQuote, type RunResult, type RunOptions } from './exec.js';
export { waitFor, sleep } from './wait.js';
export { mountsUnder, probeServerPids, processesMentioning } from './leftovers.js';
export { REPO, BUSYBOX_TAR, DOCKER_BIN, DOCKERD_BIN, BERTH_BIN, BERTHD_BIN } from './paths.js';
export { httpGet, freePort } from './http.js';
export { hostCgroupFile } from './cgroups.js';
export { startRegistry, TestRegistry, REGISTRY_BIN, type RegistryResponse } from './registry.js';
