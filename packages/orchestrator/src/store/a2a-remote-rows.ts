import type { A2aRemoteRecord } from './records.ts';

/** The `a2a_remotes` row of both backends (migration 8): JSON as text, times as ms integers. */
export interface A2aRemoteRow {
  agent_id: string;
  card_url: string;
  card: string;
  token: string | null;
  added_at: number;
  updated_at: number;
}

export const A2A_REMOTE_COLUMNS = [
  'agent_id',
  'card_url',
  'card',
  'token',
  'added_at',
  'updated_at',
] as const;

export function toA2aRemote(r: A2aRemoteRow): A2aRemoteRecord {
  return {
    agentId: r.agent_id,
    cardUrl: r.card_url,
    card: JSON.parse(r.card) as unknown,
    token: r.token,
    addedAt: Number(r.added_at),
    updatedAt: Number(r.updated_at),
  };
}

export function fromA2aRemote(r: A2aRemoteRecord): A2aRemoteRow {
  return {
    agent_id: r.agentId,
    card_url: r.cardUrl,
    card: JSON.stringify(r.card),
    token: r.token,
    added_at: r.addedAt,
    updated_at: r.updatedAt,
  };
}
