/**
 * A minimal ZIP reader for the packaged tests, so unpacking the .vsix needs no unzip tool: it reads
 * the central directory and inflates stored and deflated entries (all that tfx-cli writes).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/** Extracts every file entry of `zipFile` under `directory`; returns the entry names. */
export function extractZip(zipFile: string, directory: string): string[] {
  const data = readFileSync(zipFile);
  let end = data.length - 22;
  while (end >= 0 && data.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end -= 1;
  if (end < 0) throw new Error(`${zipFile} is not a ZIP file: no end of central directory record.`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const names: string[] = [];
  const root = resolve(directory);
  for (let index = 0; index < count; index += 1) {
    if (data.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`${zipFile}: bad central directory entry ${index}.`);
    const method = data.readUInt16LE(offset + 10);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const localOffset = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;

    if (data.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new Error(`${zipFile}: bad local header for ${name}.`);
    const start = localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
    const compressed = data.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${zipFile}: ${name} uses compression method ${method}, which this reader does not support.`);
    const content = method === 0 ? compressed : inflateRawSync(compressed);
    const target = resolve(root, name);
    if (!target.startsWith(root + sep)) throw new Error(`${zipFile}: entry ${name} would be written outside ${directory}.`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    names.push(name);
  }
  return names;
}

/** Joins a path inside an extracted archive, for readability in tests. */
export function entryPath(directory: string, name: string): string {
  return join(directory, ...name.split('/'));
}
