/** Recording stand-ins for azure-pipelines-task-lib and @actions/core, for host unit tests. */
import type { TaskLibrary } from '../../../src/hosts/azure-pipelines';
import type { ActionsCore } from '../../../src/hosts/github-actions';

/** One recorded platform call: the function's name and its arguments. */
export interface RecordedCall {
  name: string;
  args: unknown[];
}

export interface FakeTaskLibrary extends TaskLibrary {
  calls: RecordedCall[];
  inputs: Record<string, string>;
  variables: Record<string, string>;
  endpoints: Record<string, { scheme?: string; auth: Record<string, string>; data: Record<string, string> }>;
}

const TaskResult = { Succeeded: 0, SucceededWithIssues: 1, Failed: 2, Cancelled: 3, Skipped: 4 } as const;

export function createFakeTaskLibrary(): FakeTaskLibrary {
  const calls: RecordedCall[] = [];
  const record = (name: string) => (...args: unknown[]) => {
    calls.push({ name, args });
  };
  const fake = {
    calls,
    inputs: {} as Record<string, string>,
    variables: {} as Record<string, string>,
    endpoints: {} as FakeTaskLibrary['endpoints'],
    TaskResult,
    getInput: (name: string) => fake.inputs[name],
    getVariable: (name: string) => fake.variables[name],
    setSecret: record('setSecret'),
    setVariable: record('setVariable'),
    setResult: record('setResult'),
    debug: record('debug'),
    warning: record('warning'),
    error: record('error'),
    uploadSummary: record('uploadSummary'),
    getEndpointAuthorization: (id: string) => (fake.endpoints[id] ? { scheme: fake.endpoints[id].scheme, parameters: fake.endpoints[id].auth } : undefined),
    getEndpointAuthorizationScheme: (id: string) => fake.endpoints[id]?.scheme,
    getEndpointAuthorizationParameter: (id: string, key: string) => fake.endpoints[id]?.auth[key],
    getEndpointDataParameter: (id: string, key: string) => fake.endpoints[id]?.data[key],
  };
  return fake as unknown as FakeTaskLibrary;
}

export interface FakeActionsCore extends ActionsCore {
  calls: RecordedCall[];
  inputs: Record<string, string>;
  summaryText: string[];
}

export function createFakeActionsCore(): FakeActionsCore {
  const calls: RecordedCall[] = [];
  const record = (name: string) => (...args: unknown[]) => {
    calls.push({ name, args });
  };
  const summaryText: string[] = [];
  const summary = {
    addRaw(text: string, addEol?: boolean) {
      summaryText.push(addEol ? text + '\n' : text);
      return summary;
    },
    async write() {
      calls.push({ name: 'summary.write', args: [] });
      return summary;
    },
  };
  const fake = {
    calls,
    summaryText,
    inputs: {} as Record<string, string>,
    getInput: (name: string) => fake.inputs[name] ?? '',
    setSecret: record('setSecret'),
    setOutput: record('setOutput'),
    setFailed: record('setFailed'),
    debug: record('debug'),
    info: record('info'),
    warning: record('warning'),
    error: record('error'),
    startGroup: record('startGroup'),
    endGroup: record('endGroup'),
    getIDToken: async () => {
      throw new Error('getIDToken is not faked in this test');
    },
    summary,
  };
  return fake as unknown as FakeActionsCore;
}

/** Returns the arguments of every recorded call with this name. */
export function argsOf(calls: RecordedCall[], name: string): unknown[][] {
  return calls.filter((call) => call.name === name).map((call) => call.args);
}
