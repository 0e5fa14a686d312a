import { ApiError } from '../errors'

/** A command line the command cannot run: exit 64 with the usage */
export class UsageError extends Error {}

/**
 * Runs one subcommand of `npm run admin -- <command> …`: `dispatch` answers the run of the
 * subcommand the arguments name, or undefined for none (the usage, exit 64). A UsageError is exit
 * 64 with the usage, a refusal by the data (an ApiError) exit 1 with its message.
 */
export async function runSubcommand(usage: string, dispatch: () => Promise<number> | undefined): Promise<number> {
  try {
    const run = dispatch()
    if (run) return await run
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nusage:\n${usage}\n`)
      return 64
    }
    if (error instanceof ApiError) {
      process.stderr.write(`${error.message}\n`)
      return 1
    }
    throw error
  }
  process.stderr.write(`usage:\n${usage}\n`)
  return 64
}
