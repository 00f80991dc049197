// The workflow once more with Debian's Docker 20.10 client (/usr/bin/docker, from docker.io), which
// negotiates an older API version (1.41) through /_ping: berth must serve it the same way. The
// daemon-only cases (cgroups, restart) run in docker-cli-workflow.test.ts only.
import { registerWorkflow } from './workflow-cases.js';

await registerWorkflow('docker', { dockerBin: '/usr/bin/docker', label: 'docker 20.10', daemonCases: false });
