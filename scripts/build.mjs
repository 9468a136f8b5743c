// Build the CLI, the Azure Pipelines tasks and the GitHub Action bundles with esbuild.
//   node scripts/build.mjs cli       the CLI only (runs on `npm ci` through `prepare`)
//   node scripts/build.mjs all       the CLI, every task and every action
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const target = process.argv[2] ?? 'all';

/** Options shared by every bundle: Node 20 is the oldest runtime each front end supports. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

async function buildCli() {
  await build({
    ...common,
    entryPoints: [join(root, 'src/cli.ts')],
    outfile: join(root, 'dist/kvdr.js'),
    // The CLI runs from an npm install, so its dependencies stay in node_modules.
    packages: 'external',
  });
}

async function buildActions() {
  const dir = join(root, 'actions');
  for (const name of readdirSync(dir)) {
    const entry = join(dir, name, 'main.ts');
    if (!existsSync(entry)) continue;
    await build({ ...common, entryPoints: [entry], outfile: join(dir, name, 'dist/index.js') });
  }
}

async function buildTasks() {
  const dir = join(root, 'tasks');
  for (const name of readdirSync(dir)) {
    const entry = join(dir, name, 'index.ts');
    if (!existsSync(entry)) continue;
    await build({ ...common, entryPoints: [entry], outfile: join(dir, name, 'dist/index.js') });
  }
}

if (target === 'cli' || target === 'all') await buildCli();
if (target === 'actions' || target === 'all') await buildActions();
if (target === 'tasks' || target === 'all') await buildTasks();
