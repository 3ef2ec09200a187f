/**
 * Workflow templates (issue 7): reusable processes such as engagement plans ("new prospect
 * cadence": a call, an email two days later, a follow-up call...) shipped as JSON files in
 * templates/workflows/. An administrator makes a workflow from one by naming its entity and
 * fields; the result is an ordinary workflow, validated like any other, started on a record with
 * its button.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldError } from '../shared/errors.ts';
import { workflowProblems } from './workflows.problems.ts';

type Parameter = { label: string; kind: 'entity' | 'field' | 'template' | 'text'; of?: string };
export type WorkflowTemplate = { name: string; label: string; description: string; parameters: Record<string, Parameter>; workflow: Record<string, unknown> };

/** Every string that is exactly "{{param}}" becomes the parameter's value. */
function fill(node: unknown, params: Record<string, string>): unknown {
  if (typeof node === 'string') {
    const m = /^\{\{(\w+)\}\}$/.exec(node);
    return m ? params[m[1]!] : node;
  }
  if (Array.isArray(node)) return node.map((n) => fill(n, params));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, params)]));
  return node;
}

export function loadWorkflowTemplates(dir: string): WorkflowTemplate[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as WorkflowTemplate);
}

/** The workflow definition a template makes with these values; every missing or unknown value is reported. */
export function instantiate(template: WorkflowTemplate, body: unknown): Record<string, unknown> {
  const b = (body && typeof body === 'object' ? body : {}) as { name?: unknown; label?: unknown; params?: unknown };
  const params = (b.params && typeof b.params === 'object' ? b.params : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof b.name !== 'string') errors.push({ pointer: '/name', detail: 'is required: the new workflow\'s name' });
  for (const key of Object.keys(template.parameters)) if (typeof params[key] !== 'string' || !params[key]) errors.push({ pointer: `/params/${key}`, detail: `is required: ${template.parameters[key]!.label}` });
  for (const key of Object.keys(params)) if (!template.parameters[key]) errors.push({ pointer: `/params/${key}`, detail: `is not a parameter of ${template.name}` });
  if (errors.length) throw workflowProblems.invalidRequest.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
  return { ...(fill(template.workflow, params as Record<string, string>) as object), name: b.name, label: typeof b.label === 'string' ? b.label : template.label, description: template.description };
}
