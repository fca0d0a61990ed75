import { AgentCard, A2A_PROTOCOL_VERSION, type AgentSkill } from '@a2a-js/sdk';
import type { ApiDeps } from '../deps.ts';

const skill = (
  id: string,
  name: string,
  description: string,
  tags: string[],
  examples: string[],
): AgentSkill => ({
  id,
  name,
  description,
  tags,
  examples,
  inputModes: ['text/plain', 'application/json'],
  outputModes: ['application/json'],
  securityRequirements: [],
});

/**
 * The orchestrator's Agent Card: one skill per workflow template (what a text message is
 * decomposed by), one per skill the live fleet offers (what an explicit DAG may ask for), bearer
 * authentication (the REST API's tokens), and the JSON-RPC endpoint at `<base>/a2a`. Built per
 * request, so the fleet's skills are those of now.
 */
export async function agentCard(
  deps: Pick<ApiDeps, 'store' | 'templates' | 'config'>,
  baseUrl: string,
): Promise<AgentCard> {
  const agents = await deps.store.read((tx) => tx.listAgents(['active', 'draining']));
  const fleet = [...new Set(agents.flatMap((a) => a.skills))].sort();
  const skills = [
    ...deps.templates
      .list()
      .map((t) =>
        skill(
          `template:${t.name}`,
          `${t.name} workflow`,
          `${t.description} Tasks: ${t.tasks.map((x) => x.name).join(' → ')}.`,
          ['template', ...(t.match.kind === 'words' ? t.match.words.slice(0, 8) : [])],
          t.match.kind === 'words' && t.match.words[0] !== undefined ? [`${t.match.words[0]} …`] : [],
        ),
      ),
    ...fleet.map((s) =>
      skill(
        `fleet:${s}`,
        s,
        `A task needing skill "${s}", which the live fleet offers: send a data part {"goal": …, "tasks": [{"name": …, "skills": ["${s}"]}]}.`,
        ['fleet'],
        [],
      ),
    ),
  ];
  return AgentCard.fromJSON({
    name: 'kOS Orchestrator',
    description:
      'Runs goals as DAGs of tasks on a fleet of agents, durably (leases, retries, kill -9 safe). A text message is decomposed by the workflow templates; a data part may give the DAG (the POST /orchestration/decompose body). The A2A task id is the goal id.',
    supportedInterfaces: [
      { url: `${baseUrl}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION },
    ],
    provider: { organization: 'kOS', url: baseUrl },
    version: '0.1.0',
    capabilities: {
      streaming: true,
      pushNotifications: deps.config.a2a.pushAllowlist.length > 0,
      extendedAgentCard: false,
    },
    securitySchemes: {
      bearer: {
        httpAuthSecurityScheme: {
          scheme: 'Bearer',
          description: 'a kOS token (kos token create --role submitter); a viewer token may read tasks only',
        },
      },
    },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['application/json'],
    skills,
  });
}
