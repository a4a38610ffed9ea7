/**
 * Undoes what loading ioredis does to every string operation in the process.
 *
 * ioredis (resp/verbatim-string.js) declares `class VerbatimString extends String`. Making
 * String.prototype the prototype of a new object turns it into a dictionary-mode object in
 * V8 (Node 20 and 24), and string primitives never take it back out: from then on
 * `charCodeAt`, `slice`, `startsWith`… are generic calls in optimised code, 2-6× slower,
 * and level detection on push's hot path ran at half its speed whenever the store was Redis.
 *
 * A property load through an ordinary object whose prototype chain holds String.prototype
 * makes V8 turn the chain's prototypes back into fast objects (the inline cache's
 * MakePrototypesFast; the same trick as bluebird's toFastProperties). Harmless if ioredis
 * ever stops subclassing String: String.prototype is fast already and stays so.
 */
export function restoreFastStringPrototype(): void {
  const probe = Object.create(String.prototype) as {charAt: unknown}
  const load = () => typeof probe.charAt
  // V8 makes the chain fast after some ten such loads (Node 20 and 24); the test checks it is fast afterwards.
  for (let i = 0; i < 100; i++) load()
}
