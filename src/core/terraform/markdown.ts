/**
 * The deploy's Markdown job summary: one row per region with its counts, then the changed resource
 * addresses. It is built from {@link DeployResult} alone, which contains no attribute values.
 */
import type { DeployResult, PlanSource, RegionDeployResult } from './deploy';

/** Addresses listed per region before the list is cut, so a huge plan keeps the summary readable. */
const MAX_ADDRESSES_PER_REGION = 50;

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const PLAN_SOURCE_LABELS: Record<PlanSource, string> = {
  planned: 'new plan',
  'saved-plan': 'saved plan',
  're-planned': 're-planned, matches approval',
};

function planCell(region: RegionDeployResult): string {
  if (!region.plan) return '-';
  const source = PLAN_SOURCE_LABELS[region.planSource ?? 'planned'];
  return region.applied ? `${source}, applied` : source;
}

/** Renders the deploy result as Markdown for the job summary and the `--markdown` file. */
export function renderDeployMarkdown(result: DeployResult): string {
  const lines: string[] = [];
  lines.push(`## kvdr deploy: ${result.command}`, '');
  const failed = result.failedRegions.length;
  lines.push(
    failed === 0
      ? `All ${result.regions.length} region(s) succeeded. Changes present: ${result.changesPresent}; destroy present: ${result.destroyPresent}.`
      : `${failed} of ${result.regions.length} region(s) failed: ${result.failedRegions.join(', ')}. Changes present: ${result.changesPresent}; destroy present: ${result.destroyPresent}.`,
    '',
  );
  lines.push('| region | result | create | update | replace | delete | plan |', '| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const region of result.regions) {
    const plan = region.plan;
    const counts = plan ? [plan.create, plan.update, plan.replace, plan.delete].map(String) : ['-', '-', '-', '-'];
    lines.push(`| ${escapeCell(region.region)} | ${region.outcome} | ${counts.join(' | ')} | ${planCell(region)} |`);
  }

  for (const region of result.regions) {
    if (region.error) lines.push('', `**${escapeCell(region.region)} failed:** ${escapeCell(region.error)}`);
    const changes = region.plan?.changes ?? [];
    if (changes.length === 0) continue;
    lines.push('', `<details><summary>${escapeCell(region.region)}: ${changes.length} resource change(s)</summary>`, '');
    for (const change of changes.slice(0, MAX_ADDRESSES_PER_REGION)) lines.push(`- ${change.kind}: \`${change.address.replace(/`/g, "'")}\``);
    if (changes.length > MAX_ADDRESSES_PER_REGION) lines.push(`- and ${changes.length - MAX_ADDRESSES_PER_REGION} more`);
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}
