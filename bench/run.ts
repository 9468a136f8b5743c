/**
 * `npm run bench`: runs kvdr's benchmark scenarios against the emulator at Key Vault's real
 * throttle and a cross-region latency, prints the numbers against their targets, and records them
 * in bench/RESULTS.md. Not a test: the numbers depend on the machine.
 *
 *   npm run bench                           every scenario
 *   npm run bench -- --only initial,noop    some scenarios (repeat --only or separate with commas)
 *   npm run bench -- --json                 results as JSON on stdout, progress on stderr
 *   npm run bench -- --list                 the scenarios and what each measures
 *   npm run bench -- --scale 0.1            a quick run with a tenth of the secrets; not recorded
 *   npm run bench -- --no-results           leave bench/RESULTS.md alone
 *
 * A scenario is a file in bench/scenarios/ exporting `scenario` (see harness/types.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { BenchContext } from './harness/context';
import { ROOT } from './harness/kvdr-process';
import { readMachineFacts } from './harness/machine';
import { formatNumber, writeResultsPage, type RecordedResult } from './harness/results';
import type { BenchScenario, ScenarioResult } from './harness/types';

const USAGE = 'Usage: npm run bench -- [--only <scenario>[,<scenario>...]] [--json] [--list] [--scale <factor>] [--no-results]';

interface BenchOptions {
  only: string[];
  json: boolean;
  list: boolean;
  scale: number;
  writeResults: boolean;
}

async function main(): Promise<void> {
  const options = readOptions();
  const scenarios = await loadScenarios();
  if (options.list) {
    for (const scenario of scenarios) process.stdout.write(`${scenario.name.padEnd(10)} ${scenario.title}: ${scenario.description}\n`);
    return;
  }
  const selected = selectScenarios(scenarios, options.only);
  buildCli();

  const machine = readMachineFacts();
  const command = ['npm run bench', ...(options.only.length > 0 ? ['--', '--only', options.only.join(',')] : [])].join(' ');
  const workDirectory = mkdtempSync(join(tmpdir(), 'kvdr-bench-'));
  const records = new Map<string, RecordedResult>();
  const running = new Map<string, Promise<ScenarioResult>>();

  const context: BenchContext = new BenchContext({
    scale: options.scale,
    workDirectory,
    resultOf: (name) => runScenario(name),
  });
  function runScenario(name: string): Promise<ScenarioResult> {
    let result = running.get(name);
    if (result === undefined) {
      const scenario = scenarios.find((candidate) => candidate.name === name);
      if (scenario === undefined) throw new Error(`Unknown scenario "${name}".`);
      result = measure(scenario);
      running.set(name, result);
    }
    return result;
  }
  async function measure(scenario: BenchScenario): Promise<ScenarioResult> {
    context.log(`${scenario.name}: ${scenario.title}`);
    const result = await scenario.run(context);
    records.set(scenario.name, { scenario, result, machine, command, finishedAt: new Date().toISOString() });
    printResult(scenario, result, options.json);
    return result;
  }

  try {
    for (const scenario of selected) await runScenario(scenario.name);
  } finally {
    await context.close();
    rmSync(workDirectory, { recursive: true, force: true });
  }

  const recorded = [...records.values()].sort((left, right) => left.scenario.order - right.scenario.order);
  if (options.writeResults && options.scale === 1) {
    writeResultsPage(join(ROOT, 'bench', 'RESULTS.md'), recorded);
    context.log('wrote bench/RESULTS.md');
  } else if (options.writeResults) {
    context.log(`not recording results: --scale ${options.scale} is not the benchmark as specified`);
  }
  if (options.json) {
    const output = recorded.map(({ scenario, result, finishedAt }) => ({ scenario: scenario.name, title: scenario.title, finishedAt, ...result }));
    process.stdout.write(`${JSON.stringify({ machine, command, scale: options.scale, scenarios: output }, null, 2)}\n`);
  }
}

function readOptions(): BenchOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        list: { type: 'boolean' },
        scale: { type: 'string' },
        'no-results': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scaleText = typeof values.scale === 'string' ? values.scale : '1';
  const scale = Number(scaleText);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) fail(`Invalid --scale "${scaleText}": give a factor above 0 and at most 1, such as 0.1.`);
  const only = ((values.only as string[] | undefined) ?? []).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
  return { only, json: values.json === true, list: values.list === true, scale, writeResults: values['no-results'] !== true };
}

/** Imports every bench/scenarios/*.ts module and returns their scenarios in run order. */
async function loadScenarios(): Promise<BenchScenario[]> {
  const folder = join(__dirname, 'scenarios');
  const scenarios: BenchScenario[] = [];
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts')).sort()) {
    const module = (await import(join(folder, file))) as { scenario?: BenchScenario };
    if (module.scenario === undefined) fail(`bench/scenarios/${file} exports no "scenario"; export a BenchScenario named scenario.`);
    if (scenarios.some((known) => known.name === module.scenario!.name)) fail(`Two scenarios are named "${module.scenario.name}"; rename one.`);
    scenarios.push(module.scenario);
  }
  return scenarios.sort((left, right) => left.order - right.order);
}

function selectScenarios(scenarios: BenchScenario[], only: string[]): BenchScenario[] {
  if (only.length === 0) return scenarios;
  const known = scenarios.map((scenario) => scenario.name);
  for (const name of only) {
    if (!known.includes(name)) fail(`Unknown scenario "${name}" in --only. Known scenarios: ${known.join(', ')}.`);
  }
  return scenarios.filter((scenario) => only.includes(scenario.name));
}

/** Builds dist/kvdr.js from the current source, so the benchmark measures the code in the tree. */
function buildCli(): void {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'cli'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) fail('Building the CLI failed (node scripts/build.mjs cli); see the output above.');
}

function printResult(scenario: BenchScenario, result: ScenarioResult, json: boolean): void {
  const write = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  write('');
  write(`${scenario.title} (${scenario.name})`);
  for (const check of result.checks) write(`  ${check.met ? 'met   ' : 'MISSED'}  ${check.target}: ${check.measured}`);
  for (const metric of result.metrics) write(`  ${metric.label}: ${`${formatNumber(metric.value)} ${metric.unit}`.trim()}`);
  for (const note of result.notes) write(`  note: ${note}`);
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
