import path from 'node:path'

/** The repository root: relative paths in the configuration are taken from here. */
export const REPO_ROOT = path.resolve(__dirname, '../..')
