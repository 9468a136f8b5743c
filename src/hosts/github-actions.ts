/**
 * The GitHub Actions host: inputs, masking, outputs, the job summary and annotations through
 * @actions/core, and credentials chosen by the `authMode` input.
 */
import type { TokenCredential } from '@azure/identity';
import type * as Core from '@actions/core' with { 'resolution-mode': 'import' };
import type { Logger } from '../core/log';
import type { Host, InputOptions, RunResult } from '../commands/host';
import { SecretMasker, escapeWorkflowCommandData, maskedForms } from './masking';
import { PlatformInputs } from './inputs';
import { runInHost } from './run';
import type { CommandSpec } from '../commands/spec';
import { createGitHubCredential } from './credentials/github';
import { gitHubTerraformEnv } from './credentials/terraform-env';

/** The part of @actions/core the host uses; tests pass a recording stand-in. */
export type ActionsCore = Pick<
  typeof Core,
  'getInput' | 'setSecret' | 'setOutput' | 'setFailed' | 'debug' | 'info' | 'warning' | 'error' | 'startGroup' | 'endGroup' | 'getIDToken' | 'summary'
>;

export interface GitHubActionsHostOptions {
  core: ActionsCore;
  env?: NodeJS.ProcessEnv;
}

/** Loads @actions/core, which is published as an ES module only, and builds the host. */
export async function createGitHubActionsHost(): Promise<GitHubActionsHost> {
  const core = await import('@actions/core');
  return new GitHubActionsHost({ core });
}

/** The entry point of a GitHub Action: `void runGitHubAction(syncCommand)`. */
export function runGitHubAction(spec: CommandSpec): Promise<void> {
  return runInHost(spec, createGitHubActionsHost);
}

/** Keeps a line from being read as a workflow command, which the runner recognises by a leading `::`. */
export function neutralizeWorkflowCommands(text: string): string {
  return text.replace(/^(\s*)::/gm, '$1: :');
}

export class GitHubActionsHost implements Host {
  readonly kind = 'github-actions' as const;
  readonly log: Logger;
  private readonly masker = new SecretMasker();
  private readonly registered = new Set<string>();
  private readonly core: ActionsCore;
  private readonly inputs: PlatformInputs;
  private readonly env: NodeJS.ProcessEnv;
  private readonly outputNames = new Set<string>();
  private credential: TokenCredential | undefined;
  /** The result set by the command, if any; the runner sets one from the exit code otherwise. */
  result: RunResult | undefined;

  constructor(options: GitHubActionsHostOptions) {
    this.core = options.core;
    this.env = options.env ?? process.env;
    this.inputs = new PlatformInputs((name) => this.core.getInput(name), 'under "with:" in the workflow step');
    const redact = (text: string): string => this.masker.redact(text);
    this.log = {
      debug: (message) => this.core.debug(redact(message)),
      info: (message) => this.core.info(neutralizeWorkflowCommands(redact(message))),
      warning: (message) => this.core.warning(redact(message)),
      error: (message) => this.core.error(redact(message)),
      group: async (name, fn) => {
        this.core.startGroup(redact(name).replace(/[\r\n]+/g, ' '));
        try {
          return await fn();
        } finally {
          this.core.endGroup();
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

  /** Registers the whole value, each line and its escaped forms with the runner and kvdr's redaction. */
  setSecret(value: string): void {
    this.masker.add(value);
    const forms = new Set(maskedForms(value));
    const escaped = escapeWorkflowCommandData(value);
    if (escaped !== value && escaped.trim().length >= 3) forms.add(escaped);
    for (const form of forms) {
      if (this.registered.has(form)) continue;
      this.registered.add(form);
      this.core.setSecret(form);
    }
  }

  setOutput(name: string, value: string): void {
    this.outputNames.add(name);
    this.core.setOutput(name, this.masker.redact(value));
  }

  /** Appends to the job summary; without GITHUB_STEP_SUMMARY (a local run) the summary is skipped. */
  async writeSummary(markdown: string): Promise<void> {
    if (!this.env.GITHUB_STEP_SUMMARY) {
      this.log.debug('GITHUB_STEP_SUMMARY is not set, so the job summary is skipped.');
      return;
    }
    await this.core.summary.addRaw(this.masker.redact(markdown), true).write();
  }

  print(text: string): void {
    this.log.info(text);
  }

  /** Machine-readable results go to the report file; the step log gets nothing. */
  writeResult(_value: unknown): void {}

  /**
   * Marks the step: `failed` fails it, `partial` leaves it green with a warning annotation so later
   * steps run, and every result sets the `result` output unless the command already did.
   */
  /** Rewrites the CLI flags a command names in a result message as this front end's input names. */
  describeInputs?: (message: string) => string;

  setResult(result: RunResult, message: string): void {
    this.result = result;
    if (!this.outputNames.has('result')) this.setOutput('result', result);
    const text = this.masker.redact(this.describeInputs?.(message) ?? message).replace(/[\r\n]+/g, ' ');
    if (result === 'failed') this.core.setFailed(text);
    else if (result === 'partial') this.core.warning(text);
    else this.core.info(text);
  }

  async getCredential(): Promise<TokenCredential> {
    this.credential ??= createGitHubCredential({
      ...this.authInputs(),
      env: this.env,
      getIDToken: (audience) => this.core.getIDToken(audience),
      setSecret: (value) => this.setSecret(value),
    });
    return this.credential;
  }

  async getChildProcessEnv(): Promise<Record<string, string>> {
    const env = gitHubTerraformEnv({ ...this.authInputs(), env: this.env });
    if (env.ARM_OIDC_REQUEST_TOKEN) this.setSecret(env.ARM_OIDC_REQUEST_TOKEN);
    if (env.ARM_CLIENT_SECRET) this.setSecret(env.ARM_CLIENT_SECRET);
    return env;
  }

  private authInputs(): { authMode: string; clientId?: string; tenantId?: string } {
    return {
      authMode: this.inputs.get('authMode') ?? 'auto',
      clientId: this.inputs.get('clientId'),
      tenantId: this.inputs.get('tenantId'),
    };
  }
}
