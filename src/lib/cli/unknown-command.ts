/**
 * What is said of a name that is no command (`logs tial`, `logs help tial`): the command it
 * most likely meant, and where the commands are listed.
 */
import type {Config} from '@oclif/core/interfaces'
import {closestName} from './closest-name.js'

/** The ids (`a:b`) and aliases of the commands help lists. */
export function visibleCommands(config: Config): string[] {
  return config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases])
}

/** `name`: the id as oclif spells it, topics joined by `:`. */
export function unknownCommand(name: string, visible: readonly string[]): {message: string; suggestions: string[]} {
  const suggestion = closestName(name, visible)?.replaceAll(':', ' ')
  return {
    message: `${name.replaceAll(':', ' ')} is not a logs command`,
    suggestions: [...(suggestion ? [`did you mean logs ${suggestion}?`] : []), 'logs help lists the commands'],
  }
}
