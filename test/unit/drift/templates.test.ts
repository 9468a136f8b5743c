/**
 * The nightly drift templates are valid for their platform, checked with the shared validators.
 * Each has a schedule that runs without commits, the drift step, per-secret test results and the
 * kept report. The GitHub workflow also opens an issue when drift is found.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { readTaskManifest, repoRoot } from '../../helpers/front-ends';
import { azurePipelinesValidator, specsDirectory, validatePipeline, validateWorkflow } from '../../helpers/templates';

type Document = Record<string, unknown>;
type Step = { task?: string; uses?: string; run?: string; if?: string; id?: string; name?: string; inputs?: Record<string, string>; with?: Record<string, string> };

const PIPELINE = join(repoRoot, 'templates', 'azure-pipelines', 'nightly-drift.yml');
const WORKFLOW = join(repoRoot, 'templates', 'github-workflows', 'nightly-drift.yml');

function pipelineSteps(document: Document): Step[] {
  const stages = document.stages as Document[];
  const jobs = stages.flatMap((stage) => stage.jobs as Document[]);
  return jobs.flatMap((job) => ((job.strategy as { runOnce: { deploy: { steps: Step[] } } }).runOnce.deploy.steps));
}

describe('nightly drift templates', () => {
  it('Azure Pipelines template matches the schema', function () {
    const specs = specsDirectory();
    if (!specs) {
      console.log('    skipped the schema check: no specs folder at ../shared/specs or KVDR_SPECS_DIR');
      this.skip();
    }
    const tasks = readdirSync(join(repoRoot, 'tasks'))
      .filter((name) => existsSync(join(repoRoot, 'tasks', name, 'task.json')))
      .map((name) => readTaskManifest(join(repoRoot, 'tasks', name)));
    assert.deepEqual(validatePipeline(PIPELINE, azurePipelinesValidator(specs, tasks)), []);
  });

  it('Azure Pipelines template runs nightly without commits', () => {
    const document = parse(readFileSync(PIPELINE, 'utf8')) as Document;
    const schedules = document.schedules as Array<{ cron: string; always?: boolean }>;
    assert.equal(schedules.length, 1);
    assert.match(schedules[0].cron, /^\S+ \S+ \* \* \*$/);
    assert.equal(schedules[0].always, true);
    assert.equal(document.trigger, 'none');
  });

  it('Azure Pipelines template publishes results and report', () => {
    const steps = pipelineSteps(parse(readFileSync(PIPELINE, 'utf8')) as Document);
    const drift = steps.find((step) => step.task === 'KeyVaultDriftCheck@1');
    assert.ok(drift?.inputs, 'a KeyVaultDriftCheck@1 step');
    assert.equal(drift.inputs.onDrift, 'fail');

    const results = steps.find((step) => step.task === 'PublishTestResults@2');
    assert.equal(results?.inputs?.testResultsFormat, 'JUnit');
    assert.equal(results?.inputs?.testResultsFiles, drift.inputs.junit);
    assert.equal((results as Document).condition, 'succeededOrFailed()');

    const artifact = steps.find((step) => step.task === 'PublishPipelineArtifact@1');
    assert.ok(artifact?.inputs, 'a PublishPipelineArtifact@1 step');
    assert.ok(drift.inputs.report.startsWith(artifact.inputs.targetPath), 'the report is inside the published folder');
    assert.equal((artifact as Document).condition, 'succeededOrFailed()');
  });

  it('GitHub workflow is valid', async () => {
    assert.deepEqual(await validateWorkflow(WORKFLOW), []);
  });

  it('GitHub workflow runs nightly and on demand', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { on: Record<string, unknown> };
    const schedule = workflow.on.schedule as Array<{ cron: string }>;
    assert.equal(schedule.length, 1);
    assert.match(schedule[0].cron, /^\S+ \S+ \* \* \*$/);
    assert.ok('workflow_dispatch' in workflow.on);
  });

  it('GitHub workflow keeps the report and opens an issue', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const drift = steps.find((step) => step.uses?.includes('/actions/drift@'));
    assert.ok(drift?.with, 'a drift action step with inputs');
    assert.ok(drift.id, 'the drift step has an id');

    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    assert.ok(upload?.with?.path.includes(drift.with.report), 'the report is uploaded');
    assert.equal(upload?.if, 'always()');

    const issue = steps.find((step) => step.run?.includes('gh issue'));
    assert.ok(issue, 'an issue step');
    assert.ok(issue.if?.includes(`steps.${drift.id}.outputs.driftDetected == 'true'`), 'the issue step runs only on drift');
    assert.equal(workflow.permissions.issues, 'write');
  });
});
