// Test support (not exported): SDK agents against a scripted orchestrator (TestPeer), both closed
// after each test of the file that asks for them.
import { afterEach } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import { Agent } from './agent.ts';
import type { AgentOptions } from './options.ts';
import { memoryLogger, TestPeer } from './test-peer.ts';
import type { PeerOptions } from './test-peer.ts';

/** Registers the clean-up; `setup` starts a peer and an agent pointed at it (not yet started). */
export function wireAgents(defaults: Partial<AgentOptions> = {}) {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  /** Runs `fn` after the current test, before what was registered earlier. */
  const later = (fn: () => Promise<unknown>): void => void cleanups.push(fn);
  const setup = async (peerOptions: PeerOptions = {}, options: Partial<AgentOptions> = {}) => {
    const peer = await TestPeer.start(peerOptions);
    const logger = memoryLogger();
    const agent = await Agent.create({
      orchestrator: peer.url,
      name: 'peer',
      skills: ['collect'],
      key: generateKey(),
      token: 'tok',
      logger,
      handleSignals: false,
      ...defaults,
      ...options,
    });
    later(() => peer.close());
    later(() => agent.stop());
    return { peer, agent, logger };
  };
  return { setup, later };
}
