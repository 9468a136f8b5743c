// Package the Azure DevOps extension (.vsix) offline with tfx-cli, from bundles built by
// `node scripts/build.mjs tasks` (`npm run package` runs both).
//   npm run package                             publisher from KVDR_PUBLISHER or vss-extension.json
//   npm run package -- --publisher <id>         publisher given on the command line
//   npm run package -- --out-dir <dir>          write the .vsix to <dir> instead of out/
// The extension's version is package.json's. Every task folder must be listed in
// vss-extension.json's files and contributions; the script fails naming the one that is not.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { URL } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** Returns the value after `--name`, or undefined. */
function argument(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const publisher = argument('publisher') ?? process.env.KVDR_PUBLISHER ?? manifest.publisher;
// Marketplace publisher ids are letters, digits, hyphens and underscores, starting with a letter or digit.
if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(publisher ?? '')) {
  fail(`invalid publisher id "${publisher}". Give your Marketplace publisher id with --publisher <id> or KVDR_PUBLISHER.`);
}
const outDir = resolve(argument('out-dir') ?? join(root, 'out'));
const stage = join(outDir, 'extension');

// --- Icons: drawn here so the repository carries no binary files and nothing is downloaded. ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * Draws the kvdr icon: two overlapping vault rings (two regions) on a blue tile, as an RGBA PNG of
 * `size` by `size` pixels.
 */
function drawIcon(size) {
  const rows = [];
  const radius = size * 0.22;
  const thickness = Math.max(1.5, size * 0.06);
  const centers = [[size * 0.38, size * 0.5], [size * 0.62, size * 0.5]];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x += 1) {
      const onRing = centers.some(([cx, cy]) => Math.abs(Math.hypot(x + 0.5 - cx, y + 0.5 - cy) - radius) <= thickness / 2);
      const [r, g, b] = onRing ? [255, 255, 255] : [0, 95, 184];
      row.set([r, g, b, 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- Staging: only what the extension ships. ---

function write(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

rmSync(stage, { recursive: true, force: true });
const taskNames = readdirSync(join(root, 'tasks')).filter((name) => existsSync(join(root, 'tasks', name, 'task.json'))).sort();
const contributed = new Set(manifest.contributions.map((contribution) => contribution.properties?.name));
const shipped = new Set(manifest.files.map((file) => file.path));
for (const name of taskNames) {
  const folder = `tasks/${name}`;
  if (!contributed.has(folder) || !shipped.has(folder)) {
    fail(`${folder} is not listed in vss-extension.json. Add { "path": "${folder}" } to "files" and a contribution with properties.name "${folder}".`);
  }
  const bundle = join(root, folder, 'dist', 'index.js');
  if (!existsSync(bundle)) fail(`${bundle} is missing. Run "node scripts/build.mjs tasks" first (npm run package does).`);
  write(join(stage, folder, 'task.json'), readFileSync(join(root, folder, 'task.json')));
  write(join(stage, folder, 'dist', 'index.js'), readFileSync(bundle));
  write(join(stage, folder, 'icon.png'), drawIcon(32));
}
for (const folder of contributed) {
  if (!taskNames.includes(String(folder).replace(/^tasks\//, ''))) fail(`vss-extension.json contributes ${folder}, which has no task.json.`);
}
write(join(stage, 'images', 'icon.png'), drawIcon(128));
write(join(stage, 'overview.md'), readFileSync(join(root, 'docs', 'marketplace.md')));
write(join(stage, 'vss-extension.json'), JSON.stringify({ ...manifest, version, publisher }, null, 2) + '\n');

// --- Packaging with tfx-cli, which needs no network for `extension create`. ---

const vsix = join(outDir, `${publisher}.${manifest.id}-${version}.vsix`);
rmSync(vsix, { force: true });
const tfx = join(dirname(require.resolve('tfx-cli/package.json')), '_build', 'tfx-cli.js');
execFileSync(
  process.execPath,
  [tfx, 'extension', 'create', '--root', stage, '--manifests', 'vss-extension.json', '--output-path', vsix, '--no-prompt', '--no-color'],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TFX_TRACE: '' } },
);
if (!existsSync(vsix)) fail(`tfx-cli did not write ${vsix}.`);
process.stdout.write(`${vsix}\n`);
