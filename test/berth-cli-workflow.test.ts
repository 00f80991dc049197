// The same workflow as docker-cli-workflow.test.ts with berth's own CLI (bin/berth): same commands,
// same output and exit codes. Daemon-only cases (cgroups, restart) run in the docker file only.
import { registerWorkflow } from './workflow-cases.js';

await registerWorkflow('berth');
