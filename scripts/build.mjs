// Build the CLI, the Azure Pipelines tasks and the GitHub Action bundles with esbuild.
//   node scripts/build.mjs cli       the CLI only (runs on `npm ci` through `prepare`)
//   node scripts/build.mjs tasks     every tasks/<Task>/index.ts to tasks/<Task>/dist/index.js
//   node scripts/build.mjs actions   every actions/<name>/main.ts to actions/<name>/dist/index.js
//   node scripts/build.mjs all       all of the above
// `--out-dir <dir>` writes the task and action bundles under <dir> instead of in place (the test
// that compares the committed action bundles with a fresh build uses it).
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { URL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const outDirIndex = args.indexOf('--out-dir');
const outRoot = outDirIndex >= 0 ? resolve(args[outDirIndex + 1]) : root;
const target = args.find((arg, index) => !arg.startsWith('--') && index !== outDirIndex + 1) ?? 'all';

/**
 * Options shared by every bundle: Node 20 is the oldest runtime each front end supports. The
 * working directory is pinned so the path comments esbuild writes into a bundle do not depend on
 * where the build was started, which keeps the committed action bundles reproducible.
 */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
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

/** Bundles `<folder>/<name>/<entry>` for every subfolder that has one, dependencies included. */
async function buildEach(folder, entry) {
  const dir = join(root, folder);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const entryPoint = join(dir, name, entry);
    if (!existsSync(entryPoint)) continue;
    await build({
      ...common,
      entryPoints: [entryPoint],
      outfile: join(outRoot, folder, name, 'dist/index.js'),
      banner: { js: `// Built by scripts/build.mjs from ${folder}/${name}/${entry}; do not edit.` },
    });
  }
}

if (target === 'cli' || target === 'all') await buildCli();
// azure-pipelines-task-lib 5.x embeds its own messages (lib.json and Strings/) in lib-resource.js,
// which the bundle includes, so no resource files need to be copied next to a task bundle. A task's
// own messages would come from task.json, which is packaged beside dist/ (see scripts/package.mjs).
if (target === 'tasks' || target === 'all') await buildEach('tasks', 'index.ts');
if (target === 'actions' || target === 'all') await buildEach('actions', 'main.ts');
