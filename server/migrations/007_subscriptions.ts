import type { Kysely } from 'kysely'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** 通知我下一期: one-time subscribe-message opt-ins per reader and region, and the messages they pay for. */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
