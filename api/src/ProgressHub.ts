/**
 * One Redis subscriber per API process, fanning progress messages out to SSE streams
 * (a connection per stream would not scale to thousands of watchers).
 */
import type { Redis } from 'ioredis';
import { progressChannel, type SequencedMessage } from '@assay/platform';

type Listener = (msg: SequencedMessage) => void;

export class ProgressHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly sub: Redis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.sub = redis.duplicate();
    this.sub.on('error', () => {});
    this.sub.on('message', (channel: string, raw: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      let msg: SequencedMessage;
      try {
        msg = JSON.parse(raw) as SequencedMessage;
      } catch {
        return;
      }
      for (const l of set) l(msg);
    });
  }

  /** Resolves once subscribed, so nothing published afterwards is missed. Returns the unsubscribe. */
  async subscribe(submissionId: string, listener: Listener): Promise<() => void> {
    const channel = progressChannel(this.prefix, submissionId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    await this.sub.subscribe(channel);
    return () => {
      const s = this.listeners.get(channel);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) {
        this.listeners.delete(channel);
        void this.sub.unsubscribe(channel).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.sub.disconnect();
  }
}
