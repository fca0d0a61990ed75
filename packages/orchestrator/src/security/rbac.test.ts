import { KosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import type { TokenRecord, TokenRole } from '../store/records.ts';
import {
  ACTIONS,
  ROLES,
  authorize,
  mayActAsAgent,
  requirePermission,
  rolesFor,
  type Action,
} from './rbac.ts';

const NOW = 1_000;

function token(role: TokenRole, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: 'tok1',
    hash: 'h',
    role,
    agentName: null,
    label: 'test',
    createdAt: 0,
    revokedAt: null,
    expiresAt: null,
    ...extra,
  };
}

const ALLOWED: Record<TokenRole, readonly Action[]> = {
  admin: ACTIONS,
  submitter: ['read', 'goal.submit', 'goal.cancel', 'scheduler.assign', 'task.retry', 'task.cancel'],
  agent: ['read', 'agent.register', 'agent.heartbeat', 'agent.unregister', 'task.complete', 'task.fail'],
  viewer: ['read'],
};

function thrown(fn: () => void): KosError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KosError);
    return e as KosError;
  }
  throw new Error('expected a KosError');
}

describe('authorize', () => {
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      const allowed = ALLOWED[role].includes(action);
      it(`${allowed ? 'lets' : 'does not let'} ${role} ${action}`, () => {
        expect(authorize(role, action)).toBe(allowed);
      });
    }
  }

  it('lists the roles allowed each action', () => {
    expect(rolesFor('token.create')).toEqual(['admin']);
    expect(rolesFor('goal.submit')).toEqual(['admin', 'submitter']);
    expect(rolesFor('read')).toEqual(['admin', 'submitter', 'agent', 'viewer']);
  });
});

describe('requirePermission', () => {
  it('passes a live token whose role has the action', () => {
    expect(() => requirePermission(token('submitter'), 'goal.submit', NOW)).not.toThrow();
  });

  it('rejects a missing token as unauthenticated', () => {
    const err = thrown(() => requirePermission(null, 'goal.submit', NOW));
    expect(err.code).toBe('KOS_ERR_UNAUTHENTICATED');
    expect(err.status).toBe(401);
    expect(err.message).toContain('Authorization: Bearer');
  });

  it('rejects a revoked token as unauthenticated even when its role has the action', () => {
    const err = thrown(() => requirePermission(token('admin', { revokedAt: 5 }), 'read', NOW));
    expect(err.code).toBe('KOS_ERR_UNAUTHENTICATED');
    expect(err.message).toContain('tok1 was revoked');
  });

  it('rejects a token past its expiry as unauthenticated, and accepts it until then', () => {
    const expiring = token('admin', { expiresAt: NOW + 1 });
    expect(() => requirePermission(expiring, 'read', NOW)).not.toThrow();
    const err = thrown(() => requirePermission(expiring, 'read', NOW + 1));
    expect(err.code).toBe('KOS_ERR_UNAUTHENTICATED');
    expect(err.message).toContain('tok1 expired at 1970-01-01T00:00:01.001Z');
    expect(err.details).toEqual({ action: 'read', tokenId: 'tok1', reason: 'expired' });
  });

  it('rejects a role without the action as forbidden, naming the roles that have it', () => {
    const err = thrown(() => requirePermission(token('viewer'), 'goal.cancel', NOW));
    expect(err.code).toBe('KOS_ERR_FORBIDDEN');
    expect(err.status).toBe(403);
    expect(err.message).toBe(
      'role viewer may not goal.cancel; it needs a token with role admin or submitter',
    );
    expect(err.details).toEqual({
      action: 'goal.cancel',
      role: 'viewer',
      allowedRoles: ['admin', 'submitter'],
    });
  });
});

describe('mayActAsAgent', () => {
  it('lets an admin act as any agent', () => {
    expect(mayActAsAgent(token('admin'), 'crawler', NOW)).toBe(true);
  });

  it('lets an unbound agent token act as any agent, since its first registration binds it', () => {
    expect(mayActAsAgent(token('agent'), 'crawler', NOW)).toBe(true);
  });

  it('lets a bound agent token act only as its own agent', () => {
    const bound = token('agent', { agentName: 'crawler' });
    expect(mayActAsAgent(bound, 'crawler', NOW)).toBe(true);
    expect(mayActAsAgent(bound, 'summarizer', NOW)).toBe(false);
  });

  it('never lets submitter or viewer tokens act as an agent', () => {
    expect(mayActAsAgent(token('submitter'), 'crawler', NOW)).toBe(false);
    expect(mayActAsAgent(token('viewer', { agentName: 'crawler' }), 'crawler', NOW)).toBe(false);
  });

  it('never lets an expired token act as an agent', () => {
    expect(mayActAsAgent(token('agent', { expiresAt: NOW }), 'crawler', NOW)).toBe(false);
    expect(mayActAsAgent(token('agent', { expiresAt: NOW + 1 }), 'crawler', NOW)).toBe(true);
  });

  it('never lets a revoked token act as an agent', () => {
    expect(mayActAsAgent(token('admin', { revokedAt: 1 }), 'crawler', NOW)).toBe(false);
    expect(mayActAsAgent(token('agent', { agentName: 'crawler', revokedAt: 1 }), 'crawler', NOW)).toBe(false);
  });
});
