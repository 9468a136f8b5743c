import assert from 'node:assert/strict';
import { parseFileCommands, parseLoggingCommands, parseWorkflowCommands, withoutSecretRegistrations } from './helpers/commands';

describe('packaged-test command parsers', () => {
  it('parses ##vso commands with escaping', () => {
    const [command] = parseLoggingCommands('##vso[task.setvariable variable=a%3Bb;isOutput=true;issecret=false;]50%AZP25%0Anext');
    assert.equal(command.command, 'task.setvariable');
    assert.deepEqual(command.properties, { variable: 'a;b', isOutput: 'true', issecret: 'false' });
    assert.equal(command.data, '50%\nnext');
  });

  it('drops secret registrations only', () => {
    const text = '##vso[task.setsecret]abc\nkept\n##vso[task.setvariable variable=x;issecret=true;]v';
    assert.equal(withoutSecretRegistrations(text), 'kept');
  });

  it('parses workflow commands', () => {
    const commands = parseWorkflowCommands('::add-mask::a%25b%0Ac\n::error title=T%2C1::msg\nplain :: text');
    assert.deepEqual(commands.map((command) => command.command), ['add-mask', 'error']);
    assert.equal(commands[0].data, 'a%b\nc');
    assert.equal(commands[1].properties.title, 'T,1');
  });

  it('parses GITHUB_OUTPUT heredocs', () => {
    const file = 'result<<ghadelimiter_1\nfailed\nghadelimiter_1\nnote<<EOF\nline one\nline two\nEOF\nold=1\nold=2\n';
    assert.deepEqual(parseFileCommands(file), { result: 'failed', note: 'line one\nline two', old: '2' });
  });

  it('rejects an unterminated heredoc', () => {
    assert.throws(() => parseFileCommands('result<<D\nvalue\n'), /no closing delimiter D/);
  });
});
