// The everyday workflow with the real Docker CLI (28.x, /usr/local/bin/docker) against a real berthd:
// Docker's own client decides what counts as working. Cases live in workflow-cases.ts.
import { registerWorkflow } from './workflow-cases.js';

await registerWorkflow('docker');
