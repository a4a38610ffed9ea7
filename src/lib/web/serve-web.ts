import type {IncomingMessage, ServerResponse} from 'node:http'

/**
 * The web viewer's entry point in the relay: handles `/`, `/jobs/:id` and static assets.
 * Returns false for requests it does not own, so the relay answers them (404).
 */
export async function serveWeb(_request: IncomingMessage, _response: ServerResponse): Promise<boolean> {
  return false
}
