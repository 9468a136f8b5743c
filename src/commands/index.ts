/** Every command, in the order `kvdr --help` lists them. */
import type { CommandSpec } from './spec';
import { deployCommand } from './deploy';

export const commands: CommandSpec[] = [deployCommand];
