/**
 * The A2A tests' client side: the official A2A client (`@a2a-js/sdk/client`) with a bearer token,
 * messages built as the SDK types them, and a raw JSON-RPC poster for what a client would never send.
 */
import { randomUUID } from 'node:crypto';
import {
  Role,
  TaskState,
  type Message,
  type Part,
  type SendMessageRequest,
  type StreamResponse,
} from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';

/** The official client, from the server's Agent Card, sending `Authorization: Bearer <token>`. */
export async function a2aClient(url: string, token: string): Promise<Client> {
  const fetchImpl: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  );
  return factory.createFromUrl(url);
}

export const text = (value: string): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType: 'text/plain',
});
export const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: 'application/json',
});

export function userMessage(parts: Part[], on: { taskId?: string; contextId?: string } = {}): Message {
  return {
    messageId: randomUUID(),
    contextId: on.contextId ?? '',
    taskId: on.taskId ?? '',
    role: Role.ROLE_USER,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** A SendMessage request; `returnImmediately` answers with the task at once instead of waiting. */
export function sendRequest(message: Message, returnImmediately = false): SendMessageRequest {
  return {
    tenant: '',
    message,
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately },
    metadata: undefined,
  };
}

/** The states a stream reported, in order (the first `task` event's and each status update's). */
export function statesOf(events: readonly StreamResponse[]): TaskState[] {
  return events.flatMap((e) =>
    e.payload?.$case === 'task'
      ? [e.payload.value.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED]
      : e.payload?.$case === 'statusUpdate'
        ? [e.payload.value.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED]
        : [],
  );
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

export interface RpcAnswer {
  status: number;
  body: {
    jsonrpc: string;
    id: unknown;
    result?: unknown;
    error?: { code: number; message: string; data?: { reason: string }[] };
  };
}

/** POSTs a raw body to /a2a (malformed requests a client would never send). */
export async function rawRpc(
  url: string,
  token: string | null,
  body: string,
  headers: Record<string, string> = {},
): Promise<RpcAnswer> {
  const res = await fetch(new URL('/a2a', url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as RpcAnswer['body'] };
}

/** The kOS code of a JSON-RPC error (its ErrorInfo detail's reason). */
export const kosCode = (a: RpcAnswer): string | undefined => a.body.error?.data?.[0]?.reason;
