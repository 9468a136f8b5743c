/** Every command, in the order `kvdr --help` lists them. */
import type { CommandSpec } from './spec';

export const commands: CommandSpec[] = [];
