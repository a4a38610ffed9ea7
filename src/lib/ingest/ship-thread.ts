import {FROM_SOURCES} from '../paths.js'
import type {StoreRecipe} from '../store/recipe.js'
import type {ShipEvents, WorkerDelivery} from './worker-delivery.js'

/**
 * Starts push's shipping thread for the store `recipe` opens; none when running from the
 * TypeScript sources (no compiled worker). worker-delivery.ts is imported only then: it
 * loads node:worker_threads, which a push into the file store never uses.
 */
export async function startShipThread(recipe: StoreRecipe, events: ShipEvents = {}): Promise<WorkerDelivery | undefined> {
  if (FROM_SOURCES) return undefined
  const {WorkerDelivery} = await import('./worker-delivery.js')
  return new WorkerDelivery(recipe, events)
}
