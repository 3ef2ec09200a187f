/** Typed calls to the workflows and approvals APIs (issue 7), for the workflow designer and the approvals inbox (issue 8). */
import { api, request } from './client.ts';
import type { WorkflowDefinition } from '../../../../server/workflows/workflow.types.ts';

export type { WorkflowDefinition };
export type StoredWorkflow = WorkflowDefinition & { version: number; updatedAt: string; updatedBy: string; hasSecret: boolean; secret?: string };
export type RunStatus = 'scheduled' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';
export type StepLog = { step: string; type: string; status: 'done' | 'failed' | 'retrying' | 'waiting'; attempt: number; at: string; ms: number; output?: unknown; error?: string };
export type Run = {
  id: string; workflow: string; version: number; status: RunStatus; trigger: { kind: string; at: string; input?: unknown };
  record: { entity: string; id: string } | null; log: StepLog[]; createdAt: string; finishedAt?: string; error?: string;
};
export type TestResult = { status: RunStatus; log: StepLog[]; error?: string };
export type StepTypes = { builtIn: string[]; plugins: Array<{ plugin: string; action: string; label?: string }> };
export type TemplateParameter = { label: string; kind: 'entity' | 'field' | 'template' | 'text'; of?: string };
export type WorkflowTemplate = { name: string; label: string; description: string; parameters: Record<string, TemplateParameter> };

export type Approver = { user?: string; role?: string };
export type ApprovalSlot = { approver: Approver; status: 'waiting' | 'pending' | 'approved' | 'rejected' | 'escalated'; delegatedTo?: string; decidedBy?: string; comment?: string; at?: string };
export type ApprovalRequest = {
  id: string; run: string; workflow: string; step: string; label: string; record: { entity: string; id: string } | null;
  status: 'pending' | 'approved' | 'rejected'; order: 'parallel' | 'sequence'; decide: 'all' | 'any' | 'quorum'; slots: ApprovalSlot[];
  deadline: string | null; createdAt: string; requestedBy?: { id: string; name: string } | null;
};
export type Person = { id: string; name: string; email: string; active: boolean };

const enc = encodeURIComponent;
const wf = (name: string) => `/api/workflows/${enc(name)}`;

export const workflowsApi = {
  list: async () => (await api.get<{ data: StoredWorkflow[] }>('/api/workflows')).data,
  get: (name: string) => api.get<StoredWorkflow>(wf(name)),
  create: (definition: WorkflowDefinition) => api.post<StoredWorkflow>('/api/workflows', definition),
  save: (definition: WorkflowDefinition, version: number) => request<StoredWorkflow>('PUT', wf(definition.name), { body: definition, headers: { 'if-match': `"${version}"` } }),
  remove: (name: string) => api.delete(wf(name)),
  /** Checks a draft without saving it: every problem by JSON Pointer. */
  validate: (draft: WorkflowDefinition) => api.post<{ valid: boolean; errors: Array<{ pointer: string; detail: string }> }>('/api/workflows/validate', draft),
  /** Test mode: the draft (or the saved workflow) against a record, nothing written. */
  test: (name: string, body: { recordId?: string; draft?: WorkflowDefinition }) => api.post<TestResult>(`${wf(name)}/test`, body),
  runNow: async (name: string, recordIds: string[]) => (await api.post<{ data: Array<{ id: string; recordId: string }> }>(`${wf(name)}/run`, { recordIds })).data,
  runs: async (name: string, limit = 20) => (await api.get<{ data: Run[] }>(`${wf(name)}/runs`, { limit })).data,
  run: (id: string) => api.get<Run>(`/api/workflow-runs/${enc(id)}`),
  stepTypes: (entity?: string) => api.get<StepTypes>('/api/workflow-step-types', { entity }),
  templates: async () => (await api.get<{ data: WorkflowTemplate[] }>('/api/workflow-templates')).data,
  instantiate: (template: string, body: { name: string; label?: string; params: Record<string, string> }) => api.post<StoredWorkflow>(`/api/workflow-templates/${enc(template)}/instantiate`, body),
  recordRuns: async (entity: string, id: string) => (await api.get<{ data: Run[] }>(`/api/entities/${enc(entity)}/records/${enc(id)}/workflow-runs`)).data,
};

export const approvalsApi = {
  mine: async () => (await api.get<{ data: ApprovalRequest[] }>('/api/approvals')).data,
  approve: (id: string, comment?: string) => api.post<ApprovalRequest>(`/api/approvals/${enc(id)}/approve`, comment ? { comment } : {}),
  reject: (id: string, comment?: string) => api.post<ApprovalRequest>(`/api/approvals/${enc(id)}/reject`, comment ? { comment } : {}),
  /** The people a request may be handed to. */
  delegates: async (id: string) => (await api.get<{ data: Person[] }>(`/api/approvals/${enc(id)}/delegates`)).data,
  delegate: (id: string, to: string, comment?: string) => api.post<ApprovalRequest>(`/api/approvals/${enc(id)}/delegate`, { to, ...(comment ? { comment } : {}) }),
};

/** Directory look-ups the designer needs (administrators only on the server). */
export const directoryApi = {
  users: async () => (await api.get<{ data: Person[] }>('/api/users')).data,
  roles: async () => (await api.get<{ data: Array<{ name: string; label?: string }> }>('/api/roles')).data,
  templates: async () => (await api.get<{ data: Array<{ name: string; label?: string; kind?: string }> }>('/api/templates')).data,
};
