/**
 * The Azure Pipelines host: inputs, masking, output variables, the uploaded Markdown summary and
 * the task result through azure-pipelines-task-lib, and credentials from the AzureRM service
 * connection named by the `azureSubscription` input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type * as TaskLib from 'azure-pipelines-task-lib/task';
import type { Logger } from '../core/log';
import type { Host, InputOptions, RunResult } from '../commands/host';
import { SecretMasker, singleLineMaskedForms } from './masking';
import { PlatformInputs } from './inputs';
import { runInHost } from './run';
import type { CommandSpec } from '../commands/spec';
import { createServiceConnectionCredential, readSystemAccessToken, type ServiceConnectionSource } from './credentials/service-connection';
import { serviceConnectionTerraformEnv } from './credentials/terraform-env';

/** The part of azure-pipelines-task-lib the host uses; tests pass a recording stand-in. */
export type TaskLibrary = Pick<
  typeof TaskLib,
  | 'getInput'
  | 'getVariable'
  | 'setSecret'
  | 'setVariable'
  | 'setResult'
  | 'debug'
  | 'warning'
  | 'error'
  | 'uploadSummary'
  | 'getEndpointAuthorization'
  | 'getEndpointAuthorizationScheme'
  | 'getEndpointAuthorizationParameter'
  | 'getEndpointDataParameter'
  | 'TaskResult'
>;

export interface AzurePipelinesHostOptions {
  /** The command's name, used in the summary file name. */
  commandName: string;
  taskLib: TaskLibrary;
  /** Receives plain log lines and group markers; defaults to stdout. */
  write?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Loads azure-pipelines-task-lib, which reads and removes the task's inputs from the environment on load. */
export async function createAzurePipelinesHost(commandName: string): Promise<AzurePipelinesHost> {
  const taskLib = await import('azure-pipelines-task-lib/task.js');
  return new AzurePipelinesHost({ commandName, taskLib });
}

/** The entry point of an Azure Pipelines task: `void runAzurePipelinesTask(syncCommand)`. */
export function runAzurePipelinesTask(spec: CommandSpec): Promise<void> {
  return runInHost(spec, () => createAzurePipelinesHost(spec.name));
}

/**
 * Keeps text from being read as a logging command: the agent acts on `##vso[` anywhere in a line
 * and on `##[` at its start, so both are broken up with a space.
 */
export function neutralizeLoggingCommands(text: string): string {
  return text.replace(/##vso\[/gi, '## vso[').replace(/^##\[/gm, '## [');
}

export class AzurePipelinesHost implements Host {
  readonly kind = 'azure-pipelines' as const;
  readonly log: Logger;
  private readonly masker = new SecretMasker();
  private readonly registered = new Set<string>();
  private readonly tl: TaskLibrary;
  private readonly inputs: PlatformInputs;
  private readonly write: (line: string) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly commandName: string;
  private readonly outputNames = new Set<string>();
  private summaryCount = 0;
  private credential: TokenCredential | undefined;
  /** The result set by the command, if any; the runner sets one from the exit code otherwise. */
  result: RunResult | undefined;

  constructor(options: AzurePipelinesHostOptions) {
    this.tl = options.taskLib;
    this.commandName = options.commandName;
    this.env = options.env ?? process.env;
    this.write = options.write ?? ((line) => process.stdout.write(line + '\n'));
    this.inputs = new PlatformInputs((name) => this.tl.getInput(name, false), 'in the task\'s inputs (in YAML, under "inputs:")');
    const redact = (text: string): string => this.masker.redact(text);
    const info = (text: string): void => this.write(neutralizeLoggingCommands(redact(text)));
    this.log = {
      debug: (message) => this.tl.debug(redact(message)),
      info,
      warning: (message) => this.tl.warning(redact(message)),
      error: (message) => this.tl.error(redact(message)),
      group: async (name, fn) => {
        this.write('##[group]' + neutralizeLoggingCommands(redact(name)).replace(/[\r\n]+/g, ' '));
        try {
          return await fn();
        } finally {
          this.write('##[endgroup]');
        }
      },
    };
  }

  getInput(name: string, options?: InputOptions): string | undefined {
    return this.inputs.get(name, options);
  }

  getListInput(name: string, options?: InputOptions): string[] {
    return this.inputs.list(name, options);
  }

  getBooleanInput(name: string, defaultValue: boolean): boolean {
    return this.inputs.boolean(name, defaultValue);
  }

  /**
   * Registers the value with kvdr's own redaction and each single-line form with the agent: the
   * agent rejects a multi-line `task.setsecret`, so a multi-line value is registered line by line
   * plus its escaped one-line form.
   */
  setSecret(value: string): void {
    this.masker.add(value);
    for (const form of singleLineMaskedForms(value)) {
      if (this.registered.has(form)) continue;
      this.registered.add(form);
      this.tl.setSecret(form);
    }
  }

  /** Sets an output variable; the task declares it under `outputVariables` in task.json. */
  setOutput(name: string, value: string): void {
    this.outputNames.add(name);
    this.tl.setVariable(name, this.masker.redact(value), false, true);
  }

  /** Writes the Markdown to a file in the agent's temporary directory and attaches it to the run. */
  async writeSummary(markdown: string): Promise<void> {
    const directory = this.tl.getVariable('Agent.TempDirectory') || tmpdir();
    mkdirSync(directory, { recursive: true });
    this.summaryCount += 1;
    const suffix = this.summaryCount === 1 ? '' : `-${this.summaryCount}`;
    const file = join(directory, `kvdr-${this.commandName}-summary${suffix}.md`);
    writeFileSync(file, this.masker.redact(markdown), 'utf8');
    this.tl.uploadSummary(file);
  }

  print(text: string): void {
    for (const line of text.split(/\r?\n/)) this.log.info(line);
  }

  /** Machine-readable results go to the report file; the task log gets nothing. */
  writeResult(_value: unknown): void {}

  /** Rewrites the CLI flags a command names in a result message as this front end's input names. */
  describeInputs?: (message: string) => string;

  setResult(result: RunResult, message: string): void {
    this.result = result;
    if (!this.outputNames.has('result')) this.setOutput('result', result);
    const text = this.masker.redact(this.describeInputs?.(message) ?? message).replace(/[\r\n]+/g, ' ');
    const { TaskResult } = this.tl;
    const taskResults = { succeeded: TaskResult.Succeeded, partial: TaskResult.SucceededWithIssues, failed: TaskResult.Failed };
    this.tl.setResult(taskResults[result], text);
  }

  async getCredential(): Promise<TokenCredential> {
    this.credential ??= createServiceConnectionCredential({
      connectionId: this.inputs.get('azureSubscription', { required: true })!,
      source: this.connectionSource(),
      env: this.env,
      setSecret: (value) => this.setSecret(value),
    });
    return this.credential;
  }

  /** Returns the `ARM_*` environment that authenticates Terraform with the same service connection. */
  async getChildProcessEnv(): Promise<Record<string, string>> {
    const connectionId = this.inputs.get('azureSubscription', { required: true })!;
    const source = this.connectionSource();
    return serviceConnectionTerraformEnv({
      connectionId,
      source,
      env: this.env,
      systemAccessToken: readSystemAccessToken(source, this.env),
      setSecret: (value) => this.setSecret(value),
    });
  }

  /**
   * Reads a service connection. Parameters come from the connection's authorization JSON first,
   * because `getEndpointAuthorizationParameter` writes the value it returns to the debug log, and
   * that would put a client secret or access token in the log before it could be masked.
   */
  private connectionSource(): ServiceConnectionSource {
    return {
      scheme: (id) => this.tl.getEndpointAuthorizationScheme(id, true),
      authParameter: (id, key) => {
        const parameters = this.tl.getEndpointAuthorization(id, true)?.parameters ?? {};
        const match = Object.keys(parameters).find((name) => name.toLowerCase() === key.toLowerCase());
        if (match !== undefined) return parameters[match];
        return this.tl.getEndpointAuthorizationParameter(id, key, true);
      },
      dataParameter: (id, key) => this.tl.getEndpointDataParameter(id, key, true),
    };
  }
}
