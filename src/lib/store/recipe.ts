/**
 * How another thread opens a live store again (push's shipping thread, ingest/ship-worker.ts: Redis, a relay):
 * a store that can be so opened says how in its `recipe`, made only of what a worker's
 * message can carry (no connection, no function).
 */
import type {LiveStore} from './types.js'
import type {RedisTarget} from './redis/url.js'

export type StoreRecipe = {kind: 'redis'; target: RedisTarget} | {kind: 'relay'; url: string; token?: string}

export function redisRecipe(target: RedisTarget): StoreRecipe {
  return {kind: 'redis', target}
}

/** A relay (push --url): its URL and token, which stay in this process. */
export function relayRecipe(url: string, token?: string): StoreRecipe {
  return token === undefined ? {kind: 'relay', url} : {kind: 'relay', url, token}
}

export async function openRecipe(recipe: StoreRecipe): Promise<LiveStore> {
  if (recipe.kind === 'relay') {
    const {RelayStore} = await import('./relay/relay-store.js')
    return new RelayStore(recipe.url, recipe.token)
  }
  const {RedisStore} = await import('./redis/redis-store.js')
  return new RedisStore(recipe.target)
}
