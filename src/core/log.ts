/**
 * The logger the engine writes to. Each host maps it to its own channel (console and stderr for the
 * CLI, `##vso` commands for Azure Pipelines, workflow commands for GitHub Actions). Nothing logged
 * here may contain a secret value: hosts also mask every value they read, as a second line of defence.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Runs `fn` inside a collapsible group, closing the group even when `fn` throws. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger that drops everything; the default for engine code called without one. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: (_name, fn) => fn(),
};
