/**
 * The DR drill templates: valid for their platform (the shared validators), on a weekly schedule
 * that runs the non-disruptive mode, with manual runs able to choose the mode and the targets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { readTaskManifest, repoRoot } from '../../helpers/front-ends';
import { azurePipelinesValidator, specsDirectory, validatePipeline, validateWorkflow } from '../../helpers/templates';

type Document = Record<string, unknown>;

const PIPELINE = join(repoRoot, 'templates', 'azure-pipelines', 'dr-drill.yml');
const WORKFLOW = join(repoRoot, 'templates', 'github-workflows', 'dr-drill.yml');

/** True for a cron expression that fires once a week: a fixed minute, hour and day of the week. */
function isWeekly(cron: string): boolean {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron.trim().split(/\s+/);
  return /^\d+$/.test(minute) && /^\d+$/.test(hour) && dayOfMonth === '*' && month === '*' && /^[0-6]$/.test(dayOfWeek);
}

function findStep(node: unknown, match: (step: Document) => boolean): Document | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findStep(item, match);
      if (found) return found;
    }
  } else if (node !== null && typeof node === 'object') {
    if (match(node as Document)) return node as Document;
    for (const value of Object.values(node)) {
      const found = findStep(value, match);
      if (found) return found;
    }
  }
  return undefined;
}

describe('DR drill templates', () => {
  it('pipeline matches the schema', function () {
    const specs = specsDirectory();
    if (!specs) this.skip();
    const task = readTaskManifest(join(repoRoot, 'tasks', 'KeyVaultFailoverDrill'));
    assert.deepEqual(validatePipeline(PIPELINE, azurePipelinesValidator(specs!, [task])), []);
  });

  it('pipeline runs weekly in logical mode', () => {
    const pipeline = parse(readFileSync(PIPELINE, 'utf8')) as Document;
    const schedules = pipeline.schedules as Array<{ cron: string; always?: boolean }>;
    assert.equal(schedules.length, 1);
    assert.ok(isWeekly(schedules[0].cron), schedules[0].cron);
    assert.equal(schedules[0].always, true);

    const parameters = pipeline.parameters as Array<{ name: string; default: unknown; values?: string[] }>;
    const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
    assert.equal(byName.get('mode')?.default, 'logical');
    assert.deepEqual(byName.get('mode')?.values, ['logical', 'network']);
    assert.equal(byName.get('allowDisruption')?.default, false);
    assert.ok(byName.has('rtoTarget'), 'an rtoTarget parameter');
    assert.ok(byName.has('rpoTarget'), 'an rpoTarget parameter');
  });

  it('pipeline passes the parameters to the task', () => {
    const pipeline = parse(readFileSync(PIPELINE, 'utf8')) as Document;
    const step = findStep(pipeline, (node) => node.task === 'KeyVaultFailoverDrill@1');
    const inputs = step?.inputs as Record<string, string>;
    assert.equal(inputs.mode, '${{ parameters.mode }}');
    assert.equal(inputs.allowDisruption, '${{ parameters.allowDisruption }}');
    assert.equal(inputs.rtoTarget, '${{ parameters.rtoTarget }}');
    assert.equal(inputs.rpoTarget, '${{ parameters.rpoTarget }}');
    assert.ok(inputs.junit, 'writes JUnit for PublishTestResults');
  });

  it('workflow is valid', async () => {
    assert.deepEqual(await validateWorkflow(WORKFLOW), []);
  });

  it('workflow runs weekly and on dispatch', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Document;
    const on = workflow.on as { schedule: Array<{ cron: string }>; workflow_dispatch: { inputs: Record<string, { default?: unknown; options?: string[] }> } };
    assert.ok(isWeekly(on.schedule[0].cron), on.schedule[0].cron);
    assert.deepEqual(on.workflow_dispatch.inputs.mode.options, ['logical', 'network']);
    assert.equal(on.workflow_dispatch.inputs.mode.default, 'logical');
    assert.equal(on.workflow_dispatch.inputs.allowDisruption.default, false);
    assert.equal((workflow.permissions as Record<string, string>)['id-token'], 'write');

    const step = findStep(workflow, (node) => typeof node.uses === 'string' && node.uses.includes('/actions/drill@'));
    const inputs = step?.with as Record<string, string>;
    assert.equal(inputs.mode, "${{ inputs.mode || 'logical' }}");
    assert.ok(inputs.secondary.trim().split('\n').length >= 1);
  });
});
