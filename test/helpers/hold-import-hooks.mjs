// Module hooks for hold-import.mjs: resolving the held specifier never settles.
let held

export function initialize(data) {
  held = data?.specifier
}

export async function resolve(specifier, context, nextResolve) {
  if (held && specifier === held) return new Promise(() => {})
  return nextResolve(specifier, context)
}
