import {useEffect, useSyncExternalStore} from 'react'
import type {ViewerFeed} from './viewer-feed.js'

/**
 * Runs the feed while the viewer is mounted (it may have been started earlier; it stops
 * on unmount) and re-renders when it reports a change, at most every few tens of ms.
 */
export function useFeed(feed: ViewerFeed): number {
  useEffect(() => {
    void feed.start()
    return () => feed.stop()
  }, [feed])
  return useSyncExternalStore(feed.subscribe, feed.getVersion)
}
