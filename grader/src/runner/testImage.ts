/**
 * Test support (imported only by *.test.ts): the runner image for tests, and a derived image
 * holding a raw-syscall probe, since node itself cannot call ptrace or process_vm_readv.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { RunnerImage } from '../image/RunnerImage';

export const PROBE_PATH = '/opt/probe';

/** The runner image the tests grade with (built on first use, with a line saying so). */
export function ensureTestRunnerImage(docker: Docker): Promise<string> {
  return new RunnerImage(docker).ensure((line) => console.log(line));
}

/** `FROM <runner>` plus the probe at PROBE_PATH; returns the tag. */
export async function buildProbeImage(docker: Docker, runnerTag: string): Promise<string> {
  const tag = `assay-runner-probe:${runnerTag.split(':')[1] ?? 'latest'}`;
  const dir = await mkdtemp(join(tmpdir(), 'assay-probe-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), `FROM ${runnerTag}\nCOPY probe ${PROBE_PATH}\n`);
    await writeFile(join(dir, 'probe'), syscallProbeElf());
    await chmod(join(dir, 'probe'), 0o755);
    const stream = await docker.buildImage({ context: dir, src: ['Dockerfile', 'probe'] }, { t: tag, rm: true });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
        const failed = err ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(String(failed)));
        else resolve();
      });
    });
    return tag;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A 200-byte static x86_64 ELF that calls ptrace(PTRACE_TRACEME), process_vm_readv(1, …, 0)
 * and io_uring_setup(1, NULL), then writes the three errnos (0 = allowed) as bytes to stdout.
 * Unconfined it prints 0 0 14 (EFAULT: io_uring reached the kernel); blocked, 1 1 1 (EPERM).
 */
export function syscallProbeElf(): Buffer {
  // prettier-ignore
  const code = Buffer.from([
    0xb8, 0x65, 0, 0, 0,              // mov eax, 101 (ptrace)
    0x31, 0xff,                       // xor edi, edi (PTRACE_TRACEME)
    0x31, 0xf6, 0x31, 0xd2,           // xor esi, esi; xor edx, edx
    0x45, 0x31, 0xd2,                 // xor r10d, r10d
    0x0f, 0x05, 0xf7, 0xd8,           // syscall; neg eax
    0x88, 0x44, 0x24, 0xf8,           // mov [rsp-8], al
    0xb8, 0x36, 0x01, 0, 0,           // mov eax, 310 (process_vm_readv)
    0xbf, 1, 0, 0, 0,                 // mov edi, 1 (pid)
    0x31, 0xf6, 0x31, 0xd2,           // xor esi, esi; xor edx, edx
    0x45, 0x31, 0xd2, 0x45, 0x31, 0xc0, 0x45, 0x31, 0xc9, // xor r10d/r8d/r9d
    0x0f, 0x05, 0xf7, 0xd8,           // syscall; neg eax
    0x88, 0x44, 0x24, 0xf9,           // mov [rsp-7], al
    0xb8, 0xa9, 0x01, 0, 0,           // mov eax, 425 (io_uring_setup)
    0xbf, 1, 0, 0, 0,                 // mov edi, 1 (entries)
    0x31, 0xf6,                       // xor esi, esi (params = NULL)
    0x0f, 0x05, 0xf7, 0xd8,           // syscall; neg eax
    0x88, 0x44, 0x24, 0xfa,           // mov [rsp-6], al
    0xb8, 1, 0, 0, 0,                 // mov eax, 1 (write)
    0xbf, 1, 0, 0, 0,                 // mov edi, 1 (stdout)
    0x48, 0x8d, 0x74, 0x24, 0xf8,     // lea rsi, [rsp-8]
    0xba, 3, 0, 0, 0,                 // mov edx, 3
    0x0f, 0x05,                       // syscall
    0xb8, 0xe7, 0, 0, 0,              // mov eax, 231 (exit_group)
    0x31, 0xff, 0x0f, 0x05,           // xor edi, edi; syscall
  ]);
  const base = 0x400000n;
  const headers = 64 + 56;
  const size = headers + code.length;
  const elf = Buffer.alloc(size);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little-endian, v1, SysV
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(0x3e, 18); // x86-64
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(base + BigInt(headers), 24); // entry
  elf.writeBigUInt64LE(64n, 32); // program headers right after this header
  elf.writeUInt16LE(64, 52);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(1, 64); // PT_LOAD the whole file, R+X
  elf.writeUInt32LE(5, 68);
  elf.writeBigUInt64LE(base, 80);
  elf.writeBigUInt64LE(base, 88);
  elf.writeBigUInt64LE(BigInt(size), 96);
  elf.writeBigUInt64LE(BigInt(size), 104);
  elf.writeBigUInt64LE(0x1000n, 112);
  code.copy(elf, headers);
  return elf;
}
