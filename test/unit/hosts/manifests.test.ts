/**
 * Every task.json and action.yml declares exactly the options of the command it runs, with the
 * same names, kinds, choices, defaults and help, so the front ends never drift apart.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OptionSpec } from '../../../src/commands/spec';
import { AZURE_PIPELINES_HOST_INPUTS, CLI_ONLY_OPTIONS, GITHUB_ACTIONS_HOST_INPUTS } from '../../../src/hosts/inputs';
import { listFrontEnds, readActionManifest, readTaskManifest, repoRoot, type TaskInput } from '../../helpers/front-ends';

const frontEnds = listFrontEnds();

function taskInputType(option: OptionSpec): string {
  if (option.kind === 'list') return 'multiLine';
  if (option.kind === 'boolean') return 'boolean';
  if (option.kind === 'choice') return 'pickList';
  return 'string';
}

/** The task.json entry an option should have, printed when one is missing. */
function suggestTaskInput(option: OptionSpec): TaskInput {
  return {
    name: option.name,
    type: taskInputType(option),
    label: option.name,
    ...(option.defaultValue === undefined ? {} : { defaultValue: option.defaultValue }),
    required: false,
    ...(option.group ? { groupName: option.group } : {}),
    ...(option.choices ? { options: Object.fromEntries(option.choices.map((choice) => [choice, choice])) } : {}),
    helpMarkDown: option.help,
  };
}

function platformOptions(options: readonly OptionSpec[]): OptionSpec[] {
  return options.filter((option) => !CLI_ONLY_OPTIONS.includes(option.name));
}

describe('task and action manifests', () => {
  it('finds the sync task and action', () => {
    assert.ok(frontEnds.some((frontEnd) => frontEnd.kind === 'task' && frontEnd.spec.name === 'sync'));
    assert.ok(frontEnds.some((frontEnd) => frontEnd.kind === 'action' && frontEnd.spec.name === 'sync'));
  });

  for (const frontEnd of frontEnds.filter((item) => item.kind === 'task')) {
    describe(`tasks/${frontEnd.name}/task.json`, () => {
      const manifest = readTaskManifest(frontEnd.directory);
      const options = platformOptions(frontEnd.spec.options);

      it('declares every command option', () => {
        const missing = options.filter((option) => !manifest.inputs.some((input) => input.name === option.name));
        assert.deepEqual(missing.map((option) => option.name), [], `add to task.json:\n${JSON.stringify(missing.map(suggestTaskInput), null, 2)}`);
      });

      it('declares no unknown input', () => {
        const known = new Set([...options.map((option) => option.name), ...AZURE_PIPELINES_HOST_INPUTS]);
        assert.deepEqual(manifest.inputs.map((input) => input.name).filter((name) => !known.has(name)), []);
      });

      for (const option of options) {
        it(`mirrors option ${option.name}`, () => {
          const input = manifest.inputs.find((item) => item.name === option.name);
          if (!input) return;
          assert.equal(input.type, taskInputType(option), 'type');
          assert.equal(input.defaultValue, option.defaultValue, 'defaultValue');
          assert.equal(input.groupName, option.group, 'groupName');
          assert.ok(input.helpMarkDown?.startsWith(option.help), `helpMarkDown starts with: ${option.help}`);
          assert.deepEqual(input.options ? Object.keys(input.options) : undefined, option.choices ? [...option.choices] : undefined, 'options');
        });
      }

      it('declares its groups', () => {
        const groups = new Set((manifest.groups ?? []).map((group) => group.name));
        for (const input of manifest.inputs) if (input.groupName) assert.ok(groups.has(input.groupName), `group ${input.groupName}`);
      });

      it(`is documented in docs/tasks/${frontEnd.name}.md`, () => {
        const page = join(repoRoot, 'docs', 'tasks', `${frontEnd.name}.md`);
        assert.ok(existsSync(page), `write docs/tasks/${frontEnd.name}.md`);
        const text = readFileSync(page, 'utf8');
        const names = [...manifest.inputs.map((input) => input.name), ...(manifest.outputVariables ?? []).map((output) => output.name)];
        assert.deepEqual(names.filter((name) => !text.includes(`\`${name}\``)), [], 'inputs and outputs missing from the page');
      });

      it('runs the bundle on Node 24 and Node 20', () => {
        assert.deepEqual(manifest.execution.Node24?.target, 'dist/index.js');
        assert.deepEqual(manifest.execution.Node20_1?.target, 'dist/index.js');
      });

      it('has a GUID id and the folder name', () => {
        assert.match(manifest.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(manifest.name, frontEnd.name);
      });
    });
  }

  for (const frontEnd of frontEnds.filter((item) => item.kind === 'action')) {
    describe(`actions/${frontEnd.name}/action.yml`, () => {
      const manifest = readActionManifest(frontEnd.directory);
      const options = platformOptions(frontEnd.spec.options);
      const inputs = manifest.inputs ?? {};

      it('declares exactly the command options and host inputs', () => {
        const expected = [...options.map((option) => option.name), ...GITHUB_ACTIONS_HOST_INPUTS].sort();
        assert.deepEqual(Object.keys(inputs).sort(), expected);
      });

      for (const option of options) {
        it(`mirrors option ${option.name}`, () => {
          const input = inputs[option.name];
          if (!input) return;
          assert.equal(input.default, option.defaultValue, 'default');
          assert.ok(input.description.startsWith(option.help), `description starts with: ${option.help}`);
        });
      }

      it(`is documented in docs/actions/${frontEnd.name}.md`, () => {
        const page = join(repoRoot, 'docs', 'actions', `${frontEnd.name}.md`);
        assert.ok(existsSync(page), `write docs/actions/${frontEnd.name}.md`);
        const text = readFileSync(page, 'utf8');
        const names = [...Object.keys(inputs), ...Object.keys(manifest.outputs ?? {})];
        assert.deepEqual(names.filter((name) => !text.includes(`\`${name}\``)), [], 'inputs and outputs missing from the page');
      });

      it('runs the committed bundle on node24', () => {
        assert.equal(manifest.runs.using, 'node24');
        assert.equal(manifest.runs.main, 'dist/index.js');
      });

      const task = frontEnds.find((item) => item.kind === 'task' && item.spec.name === frontEnd.spec.name);
      if (task) {
        it(`has the outputs of tasks/${task.name}`, () => {
          const taskOutputs = (readTaskManifest(task.directory).outputVariables ?? []).map((output) => output.name).sort();
          assert.deepEqual(Object.keys(manifest.outputs ?? {}).sort(), taskOutputs);
        });
      }
    });
  }
});
