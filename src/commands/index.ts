/** Every command, in the order `kvdr --help` lists them. */
import type { CommandSpec } from './spec';
import { deployCommand } from './deploy';
import { driftCommand } from './drift';
import { drillCommand } from './drill';
import { syncCommand } from './sync';

export const commands: CommandSpec[] = [syncCommand, driftCommand, deployCommand, drillCommand];
