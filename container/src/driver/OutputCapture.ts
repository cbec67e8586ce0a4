/** Counts every byte the candidate prints; keeps text only while `capturing` (sample tests). */
export class OutputCapture {
  stdout = '';
  stderr = '';
  truncated = false;
  capturing = true;
  total = 0;
  exceeded = false;
  constructor(
    readonly limitBytes: number,
    private readonly keepBytes = 16 * 1024,
  ) {}

  /** Returns false once the limit is passed: the caller kills the process. */
  add(stream: 'stdout' | 'stderr', chunk: Buffer): boolean {
    this.total += chunk.length;
    if (this.capturing) {
      const room = this.keepBytes - this.stdout.length - this.stderr.length;
      if (room > 0) this[stream] += chunk.subarray(0, room).toString('utf8');
      if (chunk.length > room) this.truncated = true;
    } else if (chunk.length > 0) {
      this.truncated = true;
    }
    if (this.total > this.limitBytes) this.exceeded = true;
    return !this.exceeded;
  }

  /**
   * Resolves once no more output arrives. What the subject printed before it answered is in its
   * pipe already, but the driver may read the answer first: a sample test keeps capturing until
   * the pipes are drained, or its output would be lost.
   */
  async settled(): Promise<void> {
    for (let turn = 0, seen = -1; turn < 50 && seen !== this.total; turn++) {
      seen = this.total;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
