/**
 * What the driver keeps of an error the subject sent: its own caps, whatever the subject claims
 * to cap. The subject is candidate code once it has loaded (and while it loads: a forged load
 * reply can carry any diagnostics), so its names, messages and diagnostics are cut here.
 */
import { MAX_DIAGNOSTICS, type WireError } from './codec';

export const WIRE_ERROR_CAPS = { name: 100, message: 2000, stack: 4000, file: 200, diagnostics: MAX_DIAGNOSTICS } as const;

/** A bounded copy of an error that passed `isWireError`. */
export function capWireError(e: WireError): WireError {
  const c = WIRE_ERROR_CAPS;
  return {
    name: e.name.slice(0, c.name),
    message: e.message.slice(0, c.message),
    ...(e.stack !== undefined ? { stack: e.stack.slice(0, c.stack) } : {}),
    ...(e.kind ? { kind: e.kind } : {}),
    ...(e.diagnostics
      ? {
          diagnostics: e.diagnostics
            .slice(0, c.diagnostics)
            .map((d) => ({ file: d.file.slice(0, c.file), line: d.line, column: d.column, message: d.message.slice(0, c.message) })),
        }
      : {}),
  };
}
