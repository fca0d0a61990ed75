// The BullMQ peer: Queue + Worker (FlowProducer for dependencies) on the local Redis, worker in
// the runner's process. Each run uses its own queue name and removes it afterwards.
import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';

export const REDIS: ConnectionOptions = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };

export interface BullRun {
  queue: Queue;
  flows: FlowProducer;
  events: QueueEvents;
  name: string;
  /** Starts the worker; `handler` runs for every job. */
  work(handler: (job: Job) => unknown, concurrency: number): Worker;
  close(): Promise<void>;
}

export async function openBull(): Promise<BullRun> {
  const name = `kosbench-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { connection: REDIS });
  const flows = new FlowProducer({ connection: REDIS });
  const events = new QueueEvents(name, { connection: REDIS });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const workers: Worker[] = [];
  return {
    queue,
    flows,
    events,
    name,
    work(handler, concurrency) {
      const worker = new Worker(name, async (job) => handler(job), {
        connection: REDIS,
        concurrency,
        removeOnComplete: { count: 0 },
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.obliterate({ force: true });
      await Promise.all([queue.close(), flows.close(), events.close()]);
    },
  };
}
