import { Command, CommanderError } from 'commander';
import { registerEvaluate } from './cli/registerEvaluate.js';
import { registerExperiments } from './cli/registerExperiments.js';
import { registerExportEvents } from './cli/registerExportEvents.js';
import { registerModels } from './cli/registerModels.js';
import { registerServe } from './cli/registerServe.js';
import { registerTrain } from './cli/registerTrain.js';
import { describeCliError } from './cli/describeCliError.js';

/**
 * `recgate <command>`: the single entry point (also reachable as npm scripts).
 * Errors the user can fix print one line and exit 1; a stack trace is shown
 * only with RECGATE_DEBUG=1.
 */
const program = new Command()
  .name('recgate')
  .description('recgate: a GraphQL recommendation gateway and its offline training pipeline')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerServe(program);
registerTrain(program);
registerEvaluate(program);
registerModels(program);
registerExperiments(program);
registerExportEvents(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`recgate: error: ${describeCliError(err)}\n`);
    if (process.env['RECGATE_DEBUG'] === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}
