import assert from 'node:assert/strict';
import { nameInputs, runCommand } from '../../../src/hosts/run';
import { AzurePipelinesHost } from '../../../src/hosts/azure-pipelines';
import { EngineError } from '../../../src/core/errors';
import { ExitCode, type CommandSpec } from '../../../src/commands/spec';
import { argsOf, createFakeTaskLibrary } from './fakes';

/** Builds a command whose run function is `run`. */
function fakeCommand(run: CommandSpec['run']): CommandSpec {
  return { name: 'fake', summary: 'A test command.', options: [], run };
}

function createHost() {
  const taskLib = createFakeTaskLibrary();
  const host = new AzurePipelinesHost({ commandName: 'fake', taskLib, write: () => undefined, env: {} });
  return { host, taskLib };
}

describe('runCommand', () => {
  it('fails with the thrown message', async () => {
    const { host, taskLib } = createHost();
    const code = await runCommand(fakeCommand(async () => {
      throw new EngineError('invalid-input', 'Invalid value for input "mode".');
    }), host);
    assert.equal(code, 1);
    assert.deepEqual(argsOf(taskLib.calls, 'setResult'), [[2, 'Invalid value for input "mode".']]);
  });

  it('fails on a non-Error throw', async () => {
    const { host, taskLib } = createHost();
    const code = await runCommand(fakeCommand(async () => {
      throw 'plain string';
    }), host);
    assert.equal(code, 1);
    assert.deepEqual(argsOf(taskLib.calls, 'setResult'), [[2, 'plain string']]);
  });

  it('sets a result from the exit code', async () => {
    const { host, taskLib } = createHost();
    const code = await runCommand(fakeCommand(async () => ExitCode.Partial), host);
    assert.equal(code, 0);
    assert.equal(argsOf(taskLib.calls, 'setResult')[0][0], 1);
  });

  it('keeps the result the command set', async () => {
    const { host, taskLib } = createHost();
    const code = await runCommand(fakeCommand(async (commandHost) => {
      commandHost.setResult('succeeded', 'Synced 3 secrets.');
      return ExitCode.Success;
    }), host);
    assert.equal(code, 0);
    assert.deepEqual(argsOf(taskLib.calls, 'setResult'), [[0, 'Synced 3 secrets.']]);
  });
});

describe('nameInputs', () => {
  const spec: CommandSpec = {
    name: 'fake',
    summary: 'A test command.',
    options: [
      { name: 'onConflict', kind: 'choice', help: 'h' },
      { name: 'source', kind: 'string', help: 'h' },
    ],
    run: async () => ExitCode.Success,
  };

  it('names inputs instead of flags', () => {
    assert.equal(nameInputs('Invalid --on-conflict "x". Missing --source.', spec), 'Invalid input onConflict "x". Missing input source.');
  });

  it('keeps longer and unknown flags', () => {
    assert.equal(nameInputs('--source-x and --target stay', spec), '--source-x and --target stay');
  });

  it('names inputs in a failed task result', async () => {
    const { host, taskLib } = createHost();
    const code = await runCommand({ ...spec, run: async () => {
      throw new EngineError('invalid-input', 'Missing --source.');
    } }, host);
    assert.equal(code, 1);
    assert.deepEqual(argsOf(taskLib.calls, 'setResult'), [[2, 'Missing input source.']]);
  });
});
