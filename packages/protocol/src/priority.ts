/** Priority tiers, most urgent first; the index is the tensor's third axis (0 = critical). */
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export function priorityLevel(p: Priority): 0 | 1 | 2 | 3 {
  return PRIORITIES.indexOf(p) as 0 | 1 | 2 | 3;
}
