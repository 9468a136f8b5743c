/**
 * The `kvdr` command line. Flags come from each command's option specs, so the CLI, the tasks and
 * the actions accept the same options under the same names.
 */
import { Command, Option } from 'commander';
import { commands } from './commands';
import { ExitCode, flagOf, type CommandSpec, type OptionSpec } from './commands/spec';
import { CliHost, type ParsedFlags } from './hosts/cli';
import { limitHeapGrowth } from './hosts/heap';
import { describeError, isEngineError } from './core/errors';
import { version } from '../package.json';

function toOption(spec: OptionSpec): Option {
  const flag = flagOf(spec.name);
  const help = spec.defaultValue === undefined ? spec.help : `${spec.help} (default: ${spec.defaultValue})`;
  if (spec.kind === 'boolean') return new Option(flag, help);
  const option = new Option(`${flag} ${spec.valueName ?? '<value>'}`, help);
  if (spec.choices) option.choices(spec.choices);
  if (spec.kind === 'list') option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

function addCommand(program: Command, spec: CommandSpec): void {
  const command = program.command(spec.name).description(spec.summary);
  for (const option of spec.options) command.addOption(toOption(option));
  command.action(async (flags: ParsedFlags) => {
    const host = new CliHost({ flags });
    try {
      process.exitCode = await spec.run(host);
    } catch (error) {
      host.log.error(describeError(error));
      if (!isEngineError(error)) host.log.debug(error instanceof Error ? String(error.stack) : String(error));
      process.exitCode = ExitCode.Fatal;
    }
    host.writeFallbackResult(spec.name, Number(process.exitCode ?? 0));
  });
}

export function createProgram(): Command {
  const program = new Command('kvdr')
    .description('Keep independent Azure Key Vaults in several regions usable as one.')
    .version(version)
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander exits 1 for usage errors; --help and --version exit 0.
      process.exit(error.exitCode === 0 ? 0 : ExitCode.Fatal);
    });
  for (const spec of commands) addCommand(program, spec);
  return program;
}

limitHeapGrowth();
createProgram().parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = ExitCode.Fatal;
});
