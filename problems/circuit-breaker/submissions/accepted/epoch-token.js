// Accepted (JavaScript, CommonJS): the state lives in one object that is replaced on every state
// change; a call keeps a reference to the state object it was admitted under and only reports
// its outcome if that object is still the current one.
class CircuitOpenError extends Error {
  constructor(message = 'circuit is open') {
    super(message);
    this.name = 'CircuitOpenError';
  }
}

function positiveInt(name, v) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1`);
  return v;
}

class CircuitBreaker {
  constructor(downstream, options = {}) {
    this.downstream = downstream;
    this.threshold = positiveInt('failureThreshold', options.failureThreshold);
    this.cooldownMs = positiveInt('cooldownMs', options.cooldownMs);
    this.maxTrials = positiveInt('halfOpenMaxCalls', options.halfOpenMaxCalls);
    this.current = { name: 'closed', failures: 0 };
  }

  tick(nowMs) {
    const s = this.current;
    if (s.name === 'open' && nowMs >= s.openUntil) this.current = { name: 'half-open', permits: this.maxTrials, successes: 0 };
    return this.current;
  }

  state(nowMs) {
    return this.tick(nowMs).name;
  }

  async execute(request, nowMs) {
    const s = this.tick(nowMs);
    if (s.name === 'open') throw new CircuitOpenError();
    if (s.name === 'half-open') {
      if (s.permits === 0) throw new CircuitOpenError('no trial calls left in this half-open period');
      s.permits -= 1;
    }
    let value;
    try {
      value = await this.downstream.call(request);
    } catch (err) {
      if (this.current === s) {
        if (s.name === 'half-open' || ++s.failures >= this.threshold) this.current = { name: 'open', openUntil: nowMs + this.cooldownMs };
      }
      throw err;
    }
    if (this.current === s) {
      if (s.name === 'closed') s.failures = 0;
      else if (++s.successes === this.maxTrials) this.current = { name: 'closed', failures: 0 };
    }
    return value;
  }
}

module.exports = { CircuitBreaker, CircuitOpenError };
