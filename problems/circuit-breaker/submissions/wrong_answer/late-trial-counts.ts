// Wrong: ignores the late outcome of a call admitted while closed (it remembers the period), but a
// trial's outcome counts whenever the breaker is half-open when it arrives, so a slow trial from
// an earlier half-open period counts in the next one: its success helps close the circuit, its
// failure reopens it.
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  halfOpenMaxCalls: number;
}

export interface Downstream<Req, Res> {
  call(request: Req): Promise<Res>;
}

export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(message = 'circuit is open: call rejected without reaching the downstream') {
    super(message);
  }
}

function checkInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
  return value;
}

export class CircuitBreaker<Req = unknown, Res = unknown> {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly halfOpenMaxCalls: number;

  private mode: CircuitState = 'closed';
  private period = 0;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private trialsAdmitted = 0;
  private trialSuccesses = 0;

  constructor(
    private readonly downstream: Downstream<Req, Res>,
    options: CircuitBreakerOptions,
  ) {
    this.failureThreshold = checkInteger('failureThreshold', options?.failureThreshold);
    this.cooldownMs = checkInteger('cooldownMs', options?.cooldownMs);
    this.halfOpenMaxCalls = checkInteger('halfOpenMaxCalls', options?.halfOpenMaxCalls);
  }

  state(nowMs: number): CircuitState {
    this.advance(nowMs);
    return this.mode;
  }

  async execute(request: Req, nowMs: number): Promise<Res> {
    this.advance(nowMs);
    if (this.mode === 'open') throw new CircuitOpenError();
    if (this.mode === 'half-open') {
      if (this.trialsAdmitted >= this.halfOpenMaxCalls) throw new CircuitOpenError('circuit is half-open and its trial calls are taken');
      this.trialsAdmitted++;
    }
    const period = this.period;
    const trial = this.mode === 'half-open';
    const counts = () => (trial ? this.mode === 'half-open' : period === this.period);
    let result: Res;
    try {
      result = await this.downstream.call(request);
    } catch (error) {
      if (counts()) this.onFailure(nowMs);
      throw error;
    }
    if (counts()) this.onSuccess();
    return result;
  }

  private advance(nowMs: number): void {
    if (this.mode === 'open' && nowMs >= this.openedAt + this.cooldownMs) this.enter('half-open');
  }

  private enter(mode: CircuitState, nowMs = 0): void {
    this.mode = mode;
    this.period++;
    this.consecutiveFailures = 0;
    this.trialsAdmitted = 0;
    this.trialSuccesses = 0;
    if (mode === 'open') this.openedAt = nowMs;
  }

  private onFailure(nowMs: number): void {
    if (this.mode === 'half-open') return this.enter('open', nowMs);
    if (++this.consecutiveFailures >= this.failureThreshold) this.enter('open', nowMs);
  }

  private onSuccess(): void {
    if (this.mode === 'half-open') {
      if (++this.trialSuccesses >= this.halfOpenMaxCalls) this.enter('closed');
    } else {
      this.consecutiveFailures = 0;
    }
  }
}
