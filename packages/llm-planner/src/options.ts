import { KosError } from '@kos/protocol';

/** How the LLM planner reaches its model; every field may come from the environment instead. */
export interface LlmPlannerOptions {
  /** The OpenAI-compatible base URL (`http://127.0.0.1:11434/v1` for Ollama); env KOS_LLM_URL. */
  url?: string | undefined;
  /** The model name the endpoint serves; env KOS_LLM_MODEL. */
  model?: string | undefined;
  /** The API key; env KOS_LLM_KEY. Local servers ignore it but the client needs one: say `none`. */
  key?: string | undefined;
  /** Longest wait for one answer; env KOS_LLM_TIMEOUT_MS; default 60 000. */
  timeoutMs?: number | undefined;
  /** The agent's name (it also offers skill `planning/<name>`); default `llm-planner`. */
  name?: string | undefined;
  /** Tasks planned at once; default 2. */
  maxParallel?: number | undefined;
}

/** The options compiled once, with units in names. */
export interface ResolvedLlmPlannerOptions {
  url: string;
  model: string;
  key: string;
  timeoutMs: number;
  name: string;
  maxParallel: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The options over the environment, checked at start. There is no default provider: a missing
 * URL, model or key is a KOS_ERR_CONFIG_INVALID naming each one and its variable, so a planner
 * never sends a goal somewhere nobody chose.
 */
export function resolveLlmPlannerOptions(
  options: LlmPlannerOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedLlmPlannerOptions {
  const problems: string[] = [];
  const pick = (given: string | undefined, variable: string, what: string): string => {
    const value = given ?? env[variable];
    if (value === undefined || value.trim() === '') problems.push(`${what}: set ${variable} (or the option)`);
    return value?.trim() ?? '';
  };
  const url = pick(options.url, 'KOS_LLM_URL', 'the chat-completions base URL');
  const model = pick(options.model, 'KOS_LLM_MODEL', 'the model');
  const key = pick(options.key, 'KOS_LLM_KEY', 'the API key (any text for a local server)');
  if (url !== '' && !/^https?:\/\//.test(url)) problems.push(`KOS_LLM_URL: ${url} is not an http(s) URL`);
  const rawTimeout =
    options.timeoutMs ??
    (env.KOS_LLM_TIMEOUT_MS === undefined ? DEFAULT_TIMEOUT_MS : Number(env.KOS_LLM_TIMEOUT_MS));
  if (!Number.isSafeInteger(rawTimeout) || rawTimeout < 1) {
    problems.push(`KOS_LLM_TIMEOUT_MS: ${String(rawTimeout)} is not a whole number of ms ≥ 1`);
  }
  if (problems.length > 0) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `The LLM planner is not configured (no provider is assumed):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { problems },
    );
  }
  return {
    url,
    model,
    key,
    timeoutMs: rawTimeout,
    name: options.name ?? 'llm-planner',
    maxParallel: options.maxParallel ?? 2,
  };
}
