/**
 * A clock only the test moves: time is injected, never read from the wall, so a test gives the
 * same answer however slowly it runs. `sleep` waits on this clock (it resolves when the test
 * advances past its deadline), for code that must wait without real time passing.
 */
export class ManualClock {
  #now: number;
  #timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  #seq = 0;
  #sleeps = 0;

  constructor(start = 0) {
    this.#now = checkTime(start, 'start');
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`the clock only moves forward: advance(${ms})`);
    this.#move(this.#now + ms);
  }

  /** Moves to `t`; staying put is fine, going back is a test bug. */
  advanceTo(t: number): void {
    checkTime(t, 'advanceTo');
    if (t < this.#now) throw new RangeError(`the clock only moves forward: advanceTo(${t}) at ${this.#now}`);
    this.#move(t);
  }

  /** Resolves once the clock has been advanced `ms` past now. */
  sleep(ms: number): Promise<void> {
    this.#sleeps++;
    const at = this.#now + Math.max(0, Number(ms) || 0);
    return new Promise((resolve) => this.#timers.push({ at, seq: this.#seq++, resolve }));
  }

  /** `sleep` calls so far (a test waits for the candidate to start a timer, then advances past it). */
  get sleeps(): number {
    return this.#sleeps;
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Wakes every sleeper without moving time (end of a test: nothing is left waiting). */
  flush(): void {
    const all = this.#timers;
    this.#timers = [];
    for (const t of all) t.resolve();
  }

  #move(t: number): void {
    this.#now = t;
    const due = this.#timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#timers = this.#timers.filter((x) => x.at > t);
    for (const x of due) x.resolve();
  }
}

function checkTime(t: number, what: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new RangeError(`${what}: a time must be a finite number, got ${String(t)}`);
  return t;
}
