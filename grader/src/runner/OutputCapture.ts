/**
 * Collects a container's demuxed stdout/stderr under one byte budget, and hands stdout lines
 * to a listener as they arrive (the driver streams its progress frames that way).
 */
import { Writable } from 'node:stream';

type Channel = 'stdout' | 'stderr';

export class OutputCapture {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Bytes seen on both channels, including what was past the cap. */
  totalBytes = 0;
  exceeded = false;

  private readonly kept: Record<Channel, Buffer[]> = { stdout: [], stderr: [] };
  private keptBytes = 0;
  private partialLine: Buffer[] = [];

  /** `onStdoutLine` must not throw: it runs inside the demuxer. */
  constructor(
    private readonly capBytes: number,
    private readonly onExceeded: () => void,
    private readonly onStdoutLine?: (line: string) => void,
  ) {
    this.stdout = this.sink('stdout');
    this.stderr = this.sink('stderr');
  }

  /** Delivers a last line that had no newline (called once the stream has ended). */
  finish(): void {
    if (this.partialLine.length > 0) {
      const line = Buffer.concat(this.partialLine);
      this.partialLine = [];
      this.deliver(line);
    }
  }

  text(channel: Channel): string {
    return Buffer.concat(this.kept[channel]).toString('utf8');
  }

  private sink(channel: Channel): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.accept(channel, chunk);
        callback();
      },
    });
  }

  private accept(channel: Channel, chunk: Buffer): void {
    this.totalBytes += chunk.length;
    if (this.exceeded) return; // keep draining the socket, but store nothing more
    const room = this.capBytes - this.keptBytes;
    const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (keep.length > 0) {
      this.kept[channel].push(keep);
      this.keptBytes += keep.length;
      if (channel === 'stdout') this.splitLines(keep);
    }
    if (chunk.length > room) {
      this.exceeded = true;
      this.onExceeded();
    }
  }

  private splitLines(chunk: Buffer): void {
    if (!this.onStdoutLine) return;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.partialLine.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.partialLine);
      this.partialLine = [];
      this.deliver(line);
      start = nl + 1;
    }
    // Bounded: everything kept, lines included, fits in capBytes.
    if (start < chunk.length) this.partialLine.push(chunk.subarray(start));
  }

  private deliver(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    this.onStdoutLine?.(line.toString('utf8', 0, end));
  }
}
