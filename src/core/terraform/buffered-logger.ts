/**
 * A logger that records messages and replays them later. Regions deploy in parallel, so each
 * region logs into its own buffer, and the buffer is replayed inside one group when the region
 * finishes. The job log then shows each region's lines together instead of interleaved.
 */
import type { Logger } from '../log';

type Level = 'debug' | 'info' | 'warning' | 'error';

export class BufferedLogger implements Logger {
  private readonly entries: Array<{ level: Level; message: string }> = [];

  debug(message: string): void {
    this.entries.push({ level: 'debug', message });
  }

  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }

  warning(message: string): void {
    this.entries.push({ level: 'warning', message });
  }

  error(message: string): void {
    this.entries.push({ level: 'error', message });
  }

  /** Records the group's name as an info line and runs `fn`; the replay does not nest groups. */
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.entries.push({ level: 'info', message: name });
    return fn();
  }

  /** Writes every recorded message to `target`, in order, and clears the buffer. */
  replay(target: Logger): void {
    for (const entry of this.entries.splice(0)) target[entry.level](entry.message);
  }
}
