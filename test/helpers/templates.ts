/**
 * Validators for the pipeline and workflow templates, shared by every template test: GitHub
 * workflows and action metadata through @actions/workflow-parser, and Azure Pipelines YAML
 * through Microsoft's published JSON schema, extended with kvdr's own tasks.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { buildSync } from 'esbuild';
import { parse } from 'yaml';
import { repoRoot, type TaskManifest } from './front-ends';

// --- GitHub ---

interface WorkflowParser {
  parseWorkflow(file: { name: string; content: string }, trace: unknown): { context: TemplateContextLike; value: unknown };
  convertWorkflowTemplate(context: TemplateContextLike, value: unknown): Promise<{ errors?: { Message: string }[] } & Record<string, unknown>>;
  parseAction(file: { name: string; content: string }, trace: unknown): { context: TemplateContextLike; value: unknown };
  NoOperationTraceWriter: new () => unknown;
}

interface TemplateContextLike {
  errors: { getErrors(): { message: string }[] };
}

let parser: WorkflowParser | undefined;

/**
 * Loads @actions/workflow-parser through an esbuild bundle: the package is ESM-only and imports a
 * JSON file without an import attribute, which Node 20 rejects.
 */
function loadWorkflowParser(): WorkflowParser {
  if (parser) return parser;
  const directory = mkdtempSync(join(tmpdir(), 'kvdr-workflow-parser-'));
  const outfile = join(directory, 'workflow-parser.cjs');
  buildSync({
    stdin: {
      contents: [
        "export { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';",
        "export { parseAction } from '@actions/workflow-parser/actions/action-parser';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser = require(outfile) as WorkflowParser;
  return parser;
}

/** Returns the parse and conversion errors of a GitHub workflow file; empty when it is valid. */
export async function validateWorkflow(file: string): Promise<string[]> {
  const workflowParser = loadWorkflowParser();
  const result = workflowParser.parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, new workflowParser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || !result.value) return errors.length > 0 ? errors : ['the workflow is empty'];
  const template = await workflowParser.convertWorkflowTemplate(result.context, result.value);
  return (template.errors ?? []).map((error) => error.Message);
}

/** Returns the errors of an action metadata file (action.yml); empty when it is valid. */
export function validateActionMetadata(file: string): string[] {
  const workflowParser = loadWorkflowParser();
  const result = workflowParser.parseAction({ name: file, content: readFileSync(file, 'utf8') }, new workflowParser.NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

// --- Azure Pipelines ---

/** Returns the reference specifications folder beside the repository, or `undefined` when it is absent. */
export function specsDirectory(): string | undefined {
  const directory = process.env.KVDR_SPECS_DIR ? resolve(process.env.KVDR_SPECS_DIR) : resolve(repoRoot, '..', 'shared', 'specs');
  return existsSync(join(directory, 'azure-pipelines', 'service-schema.json')) ? directory : undefined;
}

/** Builds the schema entry of one of kvdr's tasks, in the form the schema uses for built-in tasks. */
export function taskSchemaEntry(manifest: TaskManifest): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  // A value may also be a macro or template expression, resolved only when the pipeline runs.
  const expression = { type: 'string', pattern: '^\\$(\\(.+\\)|\\{\\{.+\\}\\})$' };
  for (const input of manifest.inputs) {
    // Every scalar is a string to Azure Pipelines, so booleans are the strings true and false.
    if (input.type === 'boolean') properties[input.name] = { anyOf: [{ type: 'string', pattern: '^(true|false|True|False|TRUE|FALSE)$' }, expression] };
    else if (input.type === 'pickList' && input.options) properties[input.name] = { anyOf: [{ enum: Object.keys(input.options) }, expression] };
    else properties[input.name] = { type: 'string' };
  }
  return {
    firstProperty: ['task'],
    required: ['task', 'inputs'],
    properties: {
      task: { pattern: `^${manifest.name}@${manifest.version.Major}$` },
      inputs: {
        properties,
        additionalProperties: false,
        required: manifest.inputs.filter((input) => input.required).map((input) => input.name),
      },
    },
  };
}

/** A compiled Azure Pipelines schema and the task names it accepts, lower-cased. */
export interface PipelineValidator {
  validate: ValidateFunction;
  knownTasks: Set<string>;
}

const validators = new Map<string, PipelineValidator>();

/**
 * Compiles the Azure Pipelines schema with `tasks` added to its task definitions. Ajv runs
 * non-strict (the schema uses editor keywords such as `ignoreCase`) and without Unicode regular
 * expressions, because one of the schema's patterns is invalid in Unicode mode.
 */
export function azurePipelinesValidator(specs: string, tasks: TaskManifest[]): PipelineValidator {
  const key = `${specs}|${tasks.map((task) => `${task.name}@${task.version.Major}`).join(',')}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(join(specs, 'azure-pipelines', 'service-schema.json'), 'utf8')) as {
    definitions: { task: { anyOf: unknown[]; properties: { task: { anyOf: { enum?: string[] }[] } } } };
  };
  // The schema lists task names twice: as allowed values of `task`, and as one entry per task with its inputs.
  schema.definitions.task.properties.task.anyOf.push(...tasks.map((task) => ({ enum: [`${task.name}@${task.version.Major}`] })));
  schema.definitions.task.anyOf.push(...tasks.map(taskSchemaEntry));
  const knownTasks = new Set(schema.definitions.task.properties.task.anyOf.flatMap((entry) => entry.enum ?? []).map((name) => name.toLowerCase()));
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false });
  const validator = { validate: ajv.compile(schema), knownTasks };
  validators.set(key, validator);
  return validator;
}

/** Collects the `task:` value of every step, however deeply stages, jobs and strategies nest it. */
function taskReferences(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) taskReferences(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [name, value] of Object.entries(node)) {
      if (name === 'task' && typeof value === 'string') found.push(value);
      else taskReferences(value, found);
    }
  }
  return found;
}

/**
 * Returns the schema errors of an Azure Pipelines YAML file, read as the service reads it (every
 * scalar a string). A task the schema does not know is reported by name first, because the
 * schema's own error for it lists every built-in task. Empty when the file is valid.
 */
export function validatePipeline(file: string, validator: PipelineValidator): string[] {
  const document = parse(readFileSync(file, 'utf8'), { schema: 'failsafe' }) as unknown;
  const unknown = [...new Set(taskReferences(document))].filter((name) => !validator.knownTasks.has(name.toLowerCase()));
  if (unknown.length > 0) {
    return unknown.map((name) => `unknown task ${name}: neither a built-in task nor a kvdr task with a task.json under tasks/`);
  }
  if (validator.validate(document)) return [];
  return (validator.validate.errors ?? []).slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
