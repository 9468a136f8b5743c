/**
 * The committed action bundles are what GitHub runs, so each must equal a fresh build of the
 * current sources. When this fails, run `node scripts/build.mjs actions` and commit each dist folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/front-ends';

describe('committed action bundles', function () {
  this.timeout(300_000);
  let outDirectory: string;
  const actions = readdirSync(join(repoRoot, 'actions')).filter((name) => existsSync(join(repoRoot, 'actions', name, 'main.ts')));

  before(() => {
    outDirectory = mkdtempSync(join(tmpdir(), 'kvdr-action-dist-'));
    execFileSync(process.execPath, ['scripts/build.mjs', 'actions', '--out-dir', outDirectory], { cwd: repoRoot, stdio: 'inherit' });
  });

  after(() => {
    if (outDirectory) rmSync(outDirectory, { recursive: true, force: true });
  });

  for (const name of actions) {
    it(`actions/${name}/dist/index.js matches a fresh build`, () => {
      const committed = join(repoRoot, 'actions', name, 'dist', 'index.js');
      assert.ok(existsSync(committed), `actions/${name}/dist/index.js is missing: run node scripts/build.mjs actions and commit it`);
      const fresh = readFileSync(join(outDirectory, 'actions', name, 'dist', 'index.js'), 'utf8');
      // Compared as booleans: a 2 MB diff in the failure output would bury the fix.
      assert.ok(readFileSync(committed, 'utf8') === fresh, `actions/${name}/dist/index.js is stale: run node scripts/build.mjs actions and commit actions/${name}/dist`);
    });
  }
});
