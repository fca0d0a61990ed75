import type { Envelope } from '@kos/protocol';

type Pulse = Envelope<'pulse'>;

interface Window {
  /** The newest pulse received since the window opened, written when it closes. */
  pending: Pulse | undefined;
  timer: NodeJS.Timeout;
}

/**
 * The pulses of one session, throttled per lease (klp.pulse_write_interval_ms). Why: a handler may
 * report progress per item it processes, and each write is a store transaction that locks the
 * agent's and the task's rows; one write per lease per interval bounds that cost whatever the
 * handler does. Holding a pulse back costs little: the SDK's heartbeats (every third of
 * heartbeat.ttl_ms) renew the lease anyway; a pulse is an extra sign of life.
 *
 * The first pulse of a lease (task and epoch) opens a window and is written at once; later ones
 * only replace the pending value, written when the window closes (which opens the next one). A
 * pulse for another epoch has a window of its own, so a stale one is written (and refused) at once
 * and replaces nothing. Pulses still pending when the session ends are dropped.
 */
export class PulseThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly intervalMs: number,
    private readonly write: (pulse: Pulse) => void,
  ) {}

  offer(pulse: Pulse): void {
    const open = this.windows.get(leaseKey(pulse));
    if (open) open.pending = pulse;
    else this.writeNow(pulse);
  }

  /** A write was refused: the next pulse of the lease is written (and answered) at once. */
  refused(pulse: Pulse): void {
    const key = leaseKey(pulse);
    clearTimeout(this.windows.get(key)?.timer);
    this.windows.delete(key);
  }

  clear(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
    this.windows.clear();
  }

  private writeNow(pulse: Pulse): void {
    const key = leaseKey(pulse);
    const timer = setTimeout(() => {
      const pending = this.windows.get(key)?.pending;
      this.windows.delete(key);
      if (pending) this.writeNow(pending);
    }, this.intervalMs);
    timer.unref();
    this.windows.set(key, { pending: undefined, timer });
    this.write(pulse);
  }
}

function leaseKey(pulse: Pulse): string {
  return `${pulse.payload.task_id}@${pulse.payload.epoch}`;
}
