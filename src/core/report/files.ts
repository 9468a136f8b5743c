/** Writes report files atomically, so a reader never sees half a report. */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Text gathered before each write of a streamed report. */
const WRITE_CHUNK_IN_CHARS = 64 * 1024;

/** Writes `text` to `path` through a temporary file in the same folder; returns the absolute path. */
export async function writeReportFile(path: string, text: string): Promise<string> {
  return writeReportChunks(path, [text]);
}

/**
 * Writes `report` as {@link renderJson} would, without building the whole text in memory: a sync of
 * 20,000 secrets to two targets has 40,000 entries, several megabytes of JSON. Returns the absolute
 * path.
 */
export async function writeJsonReportFile(path: string, report: object): Promise<string> {
  return writeReportChunks(path, jsonChunks(report));
}

/** Serialises a report as indented JSON with a final newline. */
export function renderJson(report: unknown): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * Yields the text of `JSON.stringify(report, null, 2) + '\n'` in pieces: each top-level field, and
 * each element of a top-level array on its own.
 */
export function* jsonChunks(report: object): Generator<string> {
  // The fields JSON.stringify leaves out of an object.
  const fields = Object.entries(report).filter(([, value]) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol');
  if (fields.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [index, [key, value]] of fields.entries()) {
    yield `  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield '[\n';
      for (let item = 0; item < value.length; item += 1) {
        // JSON.stringify writes null for an array element it cannot serialise.
        const text = JSON.stringify(value[item], null, 2) ?? 'null';
        yield `    ${indentFollowingLines(text, '    ')}${item < value.length - 1 ? ',' : ''}\n`;
      }
      yield '  ]';
    } else {
      yield indentFollowingLines(JSON.stringify(value, null, 2), '  ');
    }
    yield index < fields.length - 1 ? ',\n' : '\n';
  }
  yield '}\n';
}

function indentFollowingLines(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}

async function writeReportChunks(path: string, chunks: Iterable<string>): Promise<string> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.tmp`;
  try {
    const file = await open(temporary, 'w');
    try {
      // FileHandle.writeFile writes a whole chunk at the current position, while one write() may write less.
      let pending = '';
      for (const chunk of chunks) {
        pending += chunk;
        if (pending.length < WRITE_CHUNK_IN_CHARS) continue;
        await file.writeFile(pending, 'utf8');
        pending = '';
      }
      if (pending.length > 0) await file.writeFile(pending, 'utf8');
    } finally {
      await file.close();
    }
    await rename(temporary, absolute);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return absolute;
}
