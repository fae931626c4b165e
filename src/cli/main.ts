// keelson's command line: one file per command under src/cli, registered here. No logic here.
import { Command } from 'commander';
import { commands } from './commands.js';
import { keelsonVersion } from '../version.js';

const program = new Command('keelson')
  .description('keelson: a Kubernetes cluster in TypeScript (store, apiserver, scheduler, controllers, kubelet, proxy)')
  .version(keelsonVersion, '--version', 'print the version')
  .showHelpAfterError()
  .enablePositionalOptions();

for (const register of commands) register(program);

// Not awaited at top level (the bundle is CommonJS, see scripts/build.mjs): a failing command
// rejects unhandled, which prints the error and exits with status 1 as before.
void program.parseAsync(process.argv);
