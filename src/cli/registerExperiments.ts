import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ExperimentConfigError, loadExperiments } from '../experiments/experimentConfig.js';
import type { ExperimentSet } from '../experiments/experimentConfig.js';
import { experimentReport } from '../experiments/experimentReport.js';
import type { ExperimentReport } from '../experiments/experimentReport.js';
import { readEventLines } from '../experiments/readEventLines.js';
import type { Interval } from '../experiments/wilsonInterval.js';

/** The event log read when neither `--events` nor `$RECGATE_EVENT_LOG_FILE` is given. */
const DEFAULT_EVENT_LOG = 'var/events.jsonl';

/**
 * `recgate experiments report` (per-variant CTR with 95 % intervals from the
 * event log) and `recgate experiments validate` (check a config file).
 * Problems the user can fix print one line on stderr and set exit code 1.
 */
export function registerExperiments(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('validate experiment configs and read out A/B results from the event log');

  experiments
    .command('report')
    .description(
      'per-variant served lists, served items, clicks, CTR with a Wilson 95% interval, and the difference ' +
        'to the control with a 95% interval, from a JSON Lines event log',
    )
    .option(
      '--events <file>',
      `event log, JSON Lines (default: $RECGATE_EVENT_LOG_FILE or ${DEFAULT_EVENT_LOG})`,
    )
    .option(
      '--config <file>',
      'experiment config naming each control (its first variant) (default: $RECGATE_EXPERIMENTS); ' +
        'without one the control is the variant named "control"',
    )
    .option('--json', 'print the report as JSON')
    .action(async (o: { events?: string; config?: string; json?: boolean }) => {
      const path = o.events ?? process.env['RECGATE_EVENT_LOG_FILE'] ?? DEFAULT_EVENT_LOG;
      if (!existsSync(path)) {
        return fail(`no event log at ${path}; pass --events <file> or set RECGATE_EVENT_LOG_FILE`);
      }
      let set: ExperimentSet | undefined;
      const config = o.config ?? process.env['RECGATE_EXPERIMENTS'];
      if (config !== undefined && config.trim() !== '') {
        const loaded = loadOrFail(config);
        if (loaded === null) return;
        set = loaded;
      }
      let malformed = 0;
      let firstMalformed = '';
      const report = await experimentReport(
        readEventLines(path, (line, reason) => {
          malformed += 1;
          if (firstMalformed === '') firstMalformed = `line ${line}: ${reason}`;
        }),
        set === undefined ? {} : { experiments: set },
      );
      if (o.json === true) {
        process.stdout.write(
          `${JSON.stringify({ eventLog: path, malformedLines: malformed, ...report }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(formatReport(report));
      process.stdout.write(
        `read ${path}: ${report.servedListRecords} served lists, ${report.clickRecords} clicks ` +
          `(${report.unattributedClicks} unattributed), ${malformed} malformed lines skipped` +
          `${malformed > 0 ? ` (first: ${firstMalformed})` : ''}\n`,
      );
    });

  experiments
    .command('validate')
    .description('check an experiment config file (JSON or YAML) and print its experiments')
    .requiredOption('--config <file>', 'experiment config, .json, .yaml or .yml')
    .action((o: { config: string }) => {
      const set = loadOrFail(o.config);
      if (set === null) return;
      process.stdout.write(`${o.config}: ${set.experiments.length} experiment(s), valid\n`);
      for (const e of set.experiments) {
        process.stdout.write(
          `\n${e.id}  traffic ${e.trafficPercent}%  surfaces ${e.surfaces?.join(',') ?? 'all'}` +
            `${e.description === null ? '' : `\n  ${e.description}`}\n`,
        );
        e.variants.forEach((v, i) => {
          process.stdout.write(
            `  ${`${v.id}${i === 0 ? ' (control)' : ''}`.padEnd(28)}${`${round(v.sharePercent, 2)}%`.padStart(7)}  ` +
              `${JSON.stringify(v.params)}\n`,
          );
        });
      }
    });
}

function loadOrFail(path: string): ExperimentSet | null {
  try {
    return loadExperiments(path);
  } catch (err) {
    if (err instanceof ExperimentConfigError) {
      fail(err.message);
      return null;
    }
    throw err;
  }
}

function fail(message: string): void {
  process.stderr.write(`recgate: error: ${message}\n`);
  process.exitCode = 1;
}

/** The human-readable table: one block per experiment, one row per variant. */
function formatReport(report: ExperimentReport): string {
  if (report.experiments.length === 0) return 'no experiment exposures in the event log\n';
  const header =
    'variant                    lists    items  clicks     CTR  95% CI              ' +
    'Δ CTR vs control (pp) [95% CI]   lift    likes  purchases\n';
  let out = '';
  for (const e of report.experiments) {
    out +=
      `\nexperiment ${e.experiment}  (control: ${e.control ?? 'unknown'}` +
      `${e.outsideServedLists > 0 ? `; ${e.outsideServedLists} lists outside the traffic share, excluded` : ''})\n` +
      header;
    for (const v of e.variants) {
      const diff = v.vsControl
        ? `${signed(v.vsControl.difference * 100)} [${signed(v.vsControl.interval.low * 100)}, ${signed(v.vsControl.interval.high * 100)}]`
        : v.isControl
          ? 'control'
          : '-';
      const lift =
        v.vsControl?.relativeLift === null || v.vsControl === null
          ? '-'
          : `${signed(v.vsControl.relativeLift * 100, 1)}%`;
      out +=
        `${v.variant.slice(0, 26).padEnd(26)}${String(v.servedLists).padStart(6)}${String(v.servedItems).padStart(9)}` +
        `${String(v.clicks).padStart(8)}${(v.ctr === null ? '-' : percent(v.ctr)).padStart(8)}  ` +
        `${(v.ctrInterval === null ? '-' : interval(v.ctrInterval)).padEnd(20)}${diff.padEnd(33)}${lift.padStart(6)}` +
        `${String(v.likes).padStart(9)}${String(v.purchases).padStart(11)}\n`;
    }
  }
  return `${out}\n`;
}

function percent(p: number): string {
  return `${(p * 100).toFixed(2)}%`;
}

function interval(i: Interval): string {
  return `[${percent(i.low)}, ${percent(i.high)}]`;
}

function signed(x: number, digits = 2): string {
  const s = x.toFixed(digits);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
