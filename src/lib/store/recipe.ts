/**
 * How another thread opens a live store again (push's shipping thread, ingest/ship-worker.ts):
 * a store that can be so opened says how in its `recipe`, made only of what a worker's
 * message can carry (no connection, no function).
 */
import type {LiveStore} from './types.js'
import type {RedisTarget} from './redis/url.js'

export type StoreRecipe = {kind: 'redis'; target: RedisTarget}

export function redisRecipe(target: RedisTarget): StoreRecipe {
  return {kind: 'redis', target}
}

export async function openRecipe(recipe: StoreRecipe): Promise<LiveStore> {
  const {RedisStore} = await import('./redis/redis-store.js')
  return new RedisStore(recipe.target)
}
