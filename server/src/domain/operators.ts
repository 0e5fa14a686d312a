import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, OperatorRole } from '../db/schema'
import { ApiError } from '../errors'

export type { OperatorRole } from '../db/schema'
export const OPERATOR_ROLES: readonly OperatorRole[] = ['editor', 'finance', 'admin']

/** Who an operator is, as sessions, routes and the audit trail see them */
export interface Operator {
  id: number
  name: string
  role: OperatorRole
}

export interface OperatorListing extends Operator {
  hasPassword: boolean
  openid: string | null
  createdAt: number
  disabledAt: number | null
}

export const MIN_PASSWORD_LENGTH = 10
const MAX_PASSWORD_LENGTH = 256
/** Letters, digits, "_", "." and "-", 1 to 32 of them, not all digits */
const NAME_PATTERN = /^[\p{L}\p{N}_.-]{1,32}$/u
/** An openid of the mini-program (WeChat's are 28 characters of base64url) */
const OPENID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/

/** scrypt's cost: N=2^15, r=8, p=1 (32 MiB, some 50–100 ms): cheap for a person, dear for a guesser */
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 32 }

function scrypt(password: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    crypto.scrypt(
      password.normalize('NFC'),
      salt,
      keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scrypt(password, salt, SCRYPT, SCRYPT.keyLength)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Whether `password` matches `stored`, compared in constant time; false for anything malformed. */
export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const match = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{8,64})\$([A-Za-z0-9_-]{16,128})$/.exec(stored)
  if (!match) return false
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const expected = Buffer.from(match[5], 'base64url')
  let key: Buffer
  try {
    key = await scrypt(password, Buffer.from(match[4], 'base64url'), { N, r, p }, expected.length)
  } catch {
    return false
  }
  return crypto.timingSafeEqual(key, expected)
}

export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password has at least ${MIN_PASSWORD_LENGTH} characters`
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`
  return null
}

const operator = (row: Operator): Operator => ({ id: row.id, name: row.name, role: row.role })

/**
 * The people of the operator console: each signs in with a password (break-glass) and/or by
 * scanning a 小程序码 with the WeChat account named by `openid`. Disabled operators are kept (the
 * audit trail names them) and can do nothing.
 */
export class Operators {
  /** A hash checked for unknown names, so they take as long as a wrong password */
  private decoy: Promise<string> | null = null

  constructor(private readonly db: Kysely<Database>) {}

  async add(
    input: { name: string; role: OperatorRole; password?: string; openid?: string },
    now: number,
  ): Promise<Operator> {
    const name = input.name.normalize('NFC').trim()
    if (!NAME_PATTERN.test(name) || /^\p{Nd}+$/u.test(name)) {
      throw new ApiError(
        400,
        'INVALID_OPERATOR',
        'an operator name has 1 to 32 letters, digits, "_", "." or "-" and is not all digits',
      )
    }
    if (!OPERATOR_ROLES.includes(input.role)) {
      throw new ApiError(400, 'INVALID_OPERATOR', `a role is one of ${OPERATOR_ROLES.join(', ')}`)
    }
    if (input.password === undefined && input.openid === undefined) {
      throw new ApiError(400, 'INVALID_OPERATOR', 'an operator needs a password or an openid to sign in with')
    }
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password)
      if (problem) throw new ApiError(400, 'INVALID_PASSWORD', problem)
    }
    if (input.openid !== undefined && !OPENID_PATTERN.test(input.openid)) {
      throw new ApiError(400, 'INVALID_OPERATOR', 'an openid has 6 to 64 letters, digits, "_" or "-"')
    }
    const taken = await this.db
      .selectFrom('operators')
      .select(['name', 'openid'])
      .where((eb) =>
        input.openid === undefined
          ? eb('name', '=', name)
          : eb.or([eb('name', '=', name), eb('openid', '=', input.openid)]),
      )
      .execute()
    if (taken.length > 0) {
      const what = taken.some((row) => row.name === name) ? `the name "${name}"` : 'this openid'
      throw new ApiError(409, 'OPERATOR_EXISTS', `${what} already belongs to an operator`)
    }
    const row = await this.db
      .insertInto('operators')
      .values({
        name,
        role: input.role,
        password_hash: input.password === undefined ? null : await hashPassword(input.password),
        openid: input.openid ?? null,
        created_at: now,
        disabled_at: null,
      })
      .returning(['id', 'name', 'role'])
      .executeTakeFirstOrThrow()
    return operator(row)
  }

  /**
   * The enabled operator with this name and password, or null. An unknown name, a disabled
   * operator or one without a password cost one scrypt all the same: the answer's timing does not
   * tell names apart.
   */
  async verifyPassword(name: string, password: string): Promise<Operator | null> {
    if (password.length > MAX_PASSWORD_LENGTH) return null
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('name', '=', name.normalize('NFC').trim())
      .executeTakeFirst()
    const usable = row && row.password_hash && row.disabled_at === null ? row.password_hash : null
    const ok = await checkPassword(password, usable ?? (await this.decoyHash()))
    return ok && usable && row ? operator(row) : null
  }

  /** The enabled operator this WeChat account scans in as, or null */
  async byOpenid(openid: string): Promise<Operator | null> {
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('openid', '=', openid)
      .where('disabled_at', 'is', null)
      .executeTakeFirst()
    return row ? operator(row) : null
  }

  /** The enabled operator with this id, or null (a session of a disabled operator ends) */
  async byId(id: number): Promise<Operator | null> {
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst()
    return row ? operator(row) : null
  }

  /** Every operator, disabled ones included, by name */
  async list(): Promise<OperatorListing[]> {
    const rows = await this.db.selectFrom('operators').selectAll().orderBy('name').execute()
    return rows.map((row) => ({
      ...operator(row),
      hasPassword: row.password_hash !== null,
      openid: row.openid,
      createdAt: Number(row.created_at),
      disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    }))
  }

  /** Disables an operator; their sessions end on their next request. Returns them, or 404. */
  async disable(name: string, now: number): Promise<Operator> {
    const row = await this.db
      .updateTable('operators')
      .set({ disabled_at: now })
      .where('name', '=', name.normalize('NFC').trim())
      .where('disabled_at', 'is', null)
      .returning(['id', 'name', 'role'])
      .executeTakeFirst()
    if (!row) throw new ApiError(404, 'OPERATOR_NOT_FOUND', `there is no enabled operator named "${name}"`)
    return operator(row)
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'))
    return this.decoy
  }
}
