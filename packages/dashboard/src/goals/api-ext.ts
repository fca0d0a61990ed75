import type { Feasibility, Priority, WireTask } from '@kos/contracts';

/**
 * The answers of the routes being added on the api-ext branch, as its contracts declare them;
 * replaced by the @kos/contracts types once that branch is merged.
 */
export interface BulkCancelResponse {
  success: true;
  cancelled: string[];
  matched: number;
  remaining: boolean;
}

export interface TaskReceiptResponse {
  success: true;
  task_id: string;
  status: 'verified' | 'not_verifiable' | 'unproven' | 'no_result';
  agent_id: string | null;
  key: string | null;
  detail: string;
}

export interface WireTemplate {
  name: string;
  description: string;
  keywords: string[];
  match: 'words' | 'pattern' | 'always';
  tasks: { name: string; skills: string[]; priority: Priority; depends_on: string[] }[];
}

export interface TemplateListResponse {
  success: true;
  templates: WireTemplate[];
}

export interface GoalPreviewResponse {
  success: true;
  template: string;
  priority: Priority;
  subtasks: WireTask[];
  feasibility: Feasibility;
}
