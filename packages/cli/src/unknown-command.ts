/**
 * The word where a subcommand must stand and that names none, at any level: `kos fleet`,
 * `kos token frob`, `kos help fleet`. Commander reports one by itself only without --help (with it,
 * it prints the parent's help and exits 0), and after a command that lists things (`kos tasks frob`)
 * it only counts arguments; so `run` looks for one first, on a copy of the command tree.
 */
import type { Command } from 'commander';
import { closest } from '@kos/protocol';

export interface UnknownCommand {
  /** The command that has no subcommand of this name (`kos token`). */
  parent: Command;
  name: string;
}

/**
 * Walks `argv` down `program` as commander dispatches it: each level's options are taken out by
 * commander's own parseOptions, so an option's value (`--url x`) is never read as a command.
 * `program` must be a throw-away copy (parseOptions stores option values); an argv whose options
 * commander refuses yields undefined, so the real parse reports that instead.
 */
export function findUnknownCommand(program: Command, argv: readonly string[]): UnknownCommand | undefined {
  let command = program;
  let operands: string[] = [];
  let rest = [...argv];
  try {
    for (;;) {
      const parsed = command.parseOptions(rest);
      operands = [...operands, ...parsed.operands];
      rest = parsed.unknown;
      const [first, ...after] = operands;
      // Commands without subcommands, or that take arguments, check their own operands.
      if (first === undefined || command.commands.length === 0 || command.registeredArguments.length > 0) {
        return undefined;
      }
      const sub = subcommand(command, first);
      if (sub !== undefined) {
        command = sub;
        operands = after;
        continue;
      }
      if (first !== 'help') return { parent: command, name: first };
      // `help [command]`, which commander adds to every command that has subcommands.
      const target = after[0];
      return target === undefined || subcommand(command, target) !== undefined
        ? undefined
        : { parent: command, name: target };
    }
  } catch {
    return undefined;
  }
}

/** The usage error: the whole unknown command, then the closest one or the commands there are. */
export function describeUnknownCommand({ parent, name }: UnknownCommand): string {
  const path = commandPath(parent);
  const names = parent
    .createHelp()
    .visibleCommands(parent)
    .map((c) => c.name());
  const guess = closest(name, names);
  return guess === undefined
    ? `unknown command '${path} ${name}'\n${path} commands: ${names.join(', ')} (${path} --help describes them)`
    : `unknown command '${path} ${name}'; did you mean '${path} ${guess}'?`;
}

function subcommand(command: Command, name: string): Command | undefined {
  return command.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

function commandPath(command: Command): string {
  return command.parent === null ? command.name() : `${commandPath(command.parent)} ${command.name()}`;
}
