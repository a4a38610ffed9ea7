import {homedir} from 'node:os'
import {join} from 'node:path'

type Env = NodeJS.ProcessEnv

/** `$XDG_STATE_HOME/logs`, else `~/.local/state/logs`: the default live store and the spools. */
export function stateDir(env: Env = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'logs')
}

/** `$XDG_DATA_HOME/logs`, else `~/.local/share/logs`: the default archive lives below it. */
export function dataDir(env: Env = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'logs')
}

/** Where `push` keeps lines it has read but not yet delivered to a remote store. */
export function spoolDir(env: Env = process.env): string {
  return join(stateDir(env), 'spool')
}
