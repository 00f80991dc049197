// Where the test harness finds the repo's launchers, the busybox base image and the real docker CLI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/harness/paths.js: the repo is three levels up from there, two from the source.
const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');

export const BERTHD_BIN = path.join(REPO, 'bin', 'berthd');
export const BERTH_BIN = path.join(REPO, 'bin', 'berth');
/** The deterministic busybox rootfs that scripts/setup.sh builds. */
export const BUSYBOX_TAR = path.join(REPO, '.cache', 'busybox-rootfs.tar');
/** The real Docker 28 CLI (client only). */
export const DOCKER_BIN = process.env.BERTH_TEST_DOCKER ?? '/usr/local/bin/docker';
/** Debian's dockerd 20.10, the reference engine for the bench. */
export const DOCKERD_BIN = '/usr/sbin/dockerd';
