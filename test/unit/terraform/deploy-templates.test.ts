/**
 * The multi-region deploy pipeline and workflow: each region applies on its own after one plan,
 * only approved-plan records travel, and every deploy step uses inputs the deploy command declares.
 * Schema and workflow-syntax validation of these files runs in test/unit/templates.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deployOptions } from '../../../src/commands/deploy';
import { repoRoot } from './hcl';
import { validateWorkflow } from '../../helpers/templates';

type Document = Record<string, unknown>;

const PIPELINE = join(repoRoot, 'templates', 'azure-pipelines', 'deploy-multi-region.yml');
const WORKFLOW = join(repoRoot, 'templates', 'github-workflows', 'deploy-multi-region.yml');
const DEPLOY_INPUTS = new Set(deployOptions.map((option) => option.name));

/** Returns every step of a document, wherever its stages, jobs and deployment strategies put it. */
function stepsOf(value: unknown): Document[] {
  if (Array.isArray(value)) return value.flatMap(stepsOf);
  if (typeof value !== 'object' || value === null) return [];
  const document = value as Document;
  const own = Array.isArray(document.steps) ? (document.steps as Document[]) : [];
  return [...own, ...Object.entries(document).filter(([key]) => key !== 'steps').flatMap(([, child]) => stepsOf(child))];
}

describe('deploy pipeline templates', () => {
  describe('Azure Pipelines', () => {
    const pipeline = parse(readFileSync(PIPELINE, 'utf8')) as Document;
    const stages = pipeline.stages as Document[];
    const applyStages = stages.filter((stage) => /^apply_(?!shared$)/.test(String(stage.stage)));

    it('applies each region in its own stage', () => {
      assert.ok(applyStages.length >= 2);
      for (const stage of applyStages) {
        assert.equal(stage.dependsOn, 'plan', `${String(stage.stage)} depends on more than the plan`);
      }
    });

    it('approves through an environment', () => {
      for (const stage of applyStages) {
        const job = (stage.jobs as Document[])[0];
        assert.equal(job.environment, 'kvdr-infra-prod', String(stage.stage));
      }
    });

    it('publishes no plan files', () => {
      const steps = stepsOf(stages.find((stage) => stage.stage === 'plan'));
      const deleteIndex = steps.findIndex((step) => /-name '\*\.tfplan' -delete/.test(String(step.script ?? '')));
      const publishIndex = steps.findIndex((step) => 'publish' in step);
      assert.ok(deleteIndex >= 0, 'no step deletes the .tfplan files');
      assert.ok(deleteIndex < publishIndex, 'the plan files are deleted after publishing');
    });

    it('syncs after the deploy', () => {
      const sync = stages[stages.length - 1];
      assert.ok(stepsOf(sync).some((step) => step.task === 'KeyVaultSync@1'));
    });

    it('uses only declared deploy inputs', () => {
      const deploySteps = stepsOf(pipeline).filter((step) => step.task === 'KeyVaultDeploy@1');
      assert.ok(deploySteps.length >= 4);
      for (const step of deploySteps) {
        for (const name of Object.keys(step.inputs as Document)) {
          assert.ok(name === 'azureSubscription' || DEPLOY_INPUTS.has(name), `unknown input ${name}`);
        }
      }
    });
  });

  describe('GitHub workflow', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Document;
    const jobs = workflow.jobs as Record<string, Document>;

    it('is a valid workflow', async () => {
      assert.deepEqual(await validateWorkflow(WORKFLOW), []);
    });

    it('keeps regions independent', () => {
      const strategy = jobs.apply.strategy as Document;
      assert.equal(strategy['fail-fast'], false);
      assert.ok(((strategy.matrix as Document).region as string[]).length >= 2);
    });

    it('approves through an environment', () => {
      assert.equal(jobs.apply.environment, 'infrastructure');
      assert.equal(jobs['apply-shared'].environment, 'infrastructure');
    });

    it('uploads no plan files', () => {
      const steps = jobs.plan.steps as Document[];
      const deleteIndex = steps.findIndex((step) => /-name '\*\.tfplan' -delete/.test(String(step.run ?? '')));
      const uploadIndex = steps.findIndex((step) => String(step.uses).startsWith('actions/upload-artifact'));
      assert.ok(deleteIndex >= 0);
      assert.ok(deleteIndex < uploadIndex);
    });

    it('disables the terraform wrapper', () => {
      for (const step of stepsOf(workflow).filter((item) => String(item.uses).startsWith('hashicorp/setup-terraform'))) {
        assert.equal((step.with as Document).terraform_wrapper, false);
      }
    });

    it('uses only declared deploy inputs', () => {
      const deploySteps = stepsOf(workflow).filter((step) => /\/actions\/deploy@/.test(String(step.uses)));
      assert.ok(deploySteps.length >= 3);
      const authInputs = new Set(['authMode', 'clientId', 'tenantId']);
      for (const step of deploySteps) {
        for (const name of Object.keys(step.with as Document)) {
          assert.ok(authInputs.has(name) || DEPLOY_INPUTS.has(name), `unknown input ${name}`);
        }
      }
    });
  });
});
