/** Usage errors and refusals: the CLI prints the message (no stack) and exits non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
