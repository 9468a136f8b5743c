/** Writes report files atomically, so a reader never sees half a report. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Writes `text` to `path` through a temporary file in the same folder; returns the absolute path. */
export async function writeReportFile(path: string, text: string): Promise<string> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, absolute);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return absolute;
}

/** Serialises a report as indented JSON with a final newline. */
export function renderJson(report: unknown): string {
  return JSON.stringify(report, null, 2) + '\n';
}
